"""backend/parsers"""

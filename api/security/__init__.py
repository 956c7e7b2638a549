"""Security of the API: API keys and their scopes, PII masking, the audit log and query limits."""

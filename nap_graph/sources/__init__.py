"""Importers: each reads source files as they are and returns records with their origins."""

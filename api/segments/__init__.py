"""Segments in the API: saved segments (documents `segment.<name>`), their preparation and the CSV export route."""

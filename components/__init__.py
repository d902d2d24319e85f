"""Pulumi component resources, grouped by where they run: docker/, aws/, managed/, kubernetes/.

Components take typed args only; none reads Pulumi config.
"""

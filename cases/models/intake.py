"""Consultations (相談受付), referrals (つなぐシート) and concern slips (気づきシート)."""

__all__: list[str] = []

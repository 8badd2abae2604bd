"""Receivers for other apps' domain signals (connected in AppConfig.ready when they exist)."""

import logging

logger = logging.getLogger(__name__)


def connect() -> None:
    try:
        from cases.signals import referral_status_changed
    except ImportError:  # the intake work has not landed: nothing to listen to
        return
    from .events import on_referral_status_changed

    referral_status_changed.connect(
        on_referral_status_changed, dispatch_uid="notifications.referral_status"
    )

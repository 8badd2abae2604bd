"""Receivers for other apps' domain signals (connected in AppConfig.ready when they exist)."""


def connect() -> None:
    try:
        from cases.signals import concern_slip_status_changed, referral_status_changed
    except ImportError:  # the intake work has not landed: nothing to listen to
        return
    from .events import on_concern_slip_status_changed, on_referral_status_changed

    referral_status_changed.connect(
        on_referral_status_changed, dispatch_uid="notifications.referral_status"
    )
    concern_slip_status_changed.connect(
        on_concern_slip_status_changed, dispatch_uid="notifications.concern_slip_status"
    )

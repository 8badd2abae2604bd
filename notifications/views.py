"""Inbox, preferences, rule thresholds (admins) and the supervisors' overdue view. Thin: each
view asks the policy, calls a selector or a service, renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from agencies.paging import FirstPageCountingPaginator
from agencies.policy import require

from . import selectors, services
from .forms import PreferenceForm, RuleSettingForm
from .models import Notification
from .rules import all_rules, get_rule

# Lazy: rendered in each request's language, not the language at import.
SHOW_CHOICES = {
    "unread": gettext_lazy("未読"),
    "urgent": gettext_lazy("至急"),
    "all": gettext_lazy("すべて"),
}


@login_required
def inbox(request):
    require(request.user, "notification.list")
    show = request.GET.get("show", "unread")
    if show not in SHOW_CHOICES:
        show = "unread"
    paginator = FirstPageCountingPaginator(selectors.inbox(request.user, show=show), 30)
    if show == "unread":  # the header's count is this list's
        paginator.count = selectors.unread_notification_count(request.user)
    page = paginator.get_page(request.GET.get("page"))
    rule_labels = {spec.code: spec.label for spec in all_rules()}
    return render(
        request,
        "notifications/inbox.html",
        {
            "page_obj": page,
            "show": show,
            "show_choices": [(k, SHOW_CHOICES[k]) for k in ("unread", "urgent", "all")],
            "rule_labels": rule_labels,
            "nav_active": "notifications",
        },
    )


def _own(request, public_id) -> Notification:
    notification = get_object_or_404(Notification, public_id=public_id)
    require(request.user, "notification.view", notification)
    return notification


@login_required
@require_http_methods(["GET"])
def open_notification(request, public_id):
    """Follow a notification's link (from the inbox or an e-mail): marks it read."""
    notification = _own(request, public_id)
    services.notification_mark_read(notification=notification, actor=request.user)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request, public_id):
    notification = _own(request, public_id)
    services.notification_mark_read(notification=notification, actor=request.user)
    if request.headers.get("HX-Request"):
        notification.refresh_from_db()
        return render(
            request,
            "notifications/inbox.html#row",
            {"n": notification, "rule_labels": {s.code: s.label for s in all_rules()}},
        )
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, _("%(count)d件の通知を既読にしました。") % {"count": count})
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    require(request.user, "notification_preference.update", request.user)
    pref = services.preference_for(request.user)
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        services.preference_update(actor=request.user, user=request.user, **form.cleaned_data)
        messages.success(request, _("通知の設定を保存しました。"))
        return redirect("notifications:preferences")
    return render(
        request, "notifications/preferences.html", {"form": form, "nav_active": "notifications"}
    )


@login_required
def rule_settings(request):
    require(request.user, "rule_setting.manage")
    effective = services.effective_settings()
    rows = [
        {"spec": spec, "setting": effective[spec.code], "missing": spec.missing()}
        for spec in sorted(all_rules(), key=lambda s: (s.area, s.code))
    ]
    return render(
        request, "notifications/rule_settings.html", {"rows": rows, "nav_active": "admin"}
    )


@login_required
def rule_setting_edit(request, code):
    require(request.user, "rule_setting.manage")
    spec = get_rule(code)
    if spec is None:
        raise Http404
    current = services.effective_settings()[code]
    initial = {
        "enabled": current.enabled,
        "threshold_days": current.threshold,
        "escalation_days": current.escalation,
    }
    form = RuleSettingForm(request.POST or None, initial=initial, spec=spec)
    if request.method == "POST" and form.is_valid():
        services.rule_setting_update(actor=request.user, code=code, **form.cleaned_data)
        messages.success(request, _("「%(rule)s」の設定を保存しました。") % {"rule": spec.label})
        return redirect("notifications:rule_settings")
    return render(
        request,
        "notifications/rule_setting_form.html",
        {"form": form, "spec": spec, "nav_active": "admin"},
    )


@login_required
def overdue(request):
    """Overdue items across the agencies the user supervises, by rule and agency, with drill-down."""
    require(request.user, "reminder.overview")
    today = timezone.localdate()
    rule = request.GET.get("rule") or None
    if rule and get_rule(rule) is None:
        rule = None
    try:
        agency_id = int(request.GET.get("agency") or 0) or None
    except ValueError:
        agency_id = None
    agencies = {a.pk: a for a in selectors.supervised_agencies(request.user)}
    if agency_id and agency_id not in agencies:
        raise Http404
    counts = selectors.overdue_counts(request.user, today)
    labels = {spec.code: spec.label for spec in all_rules()}
    for row in counts:
        row["rule_label"] = labels.get(row["rule"], row["rule"])
    items = (
        selectors.overdue_items(request.user, today, rule=rule, agency_id=agency_id)
        if (rule or agency_id)
        else []
    )
    openable = selectors.openable_urls(request.user, [item["url"] for item in items])
    for item in items:
        item["days"] = (today - item["due_date"]).days
        if item["url"] not in openable:
            item["url"] = ""  # shown as text: the viewer may not open the record itself
    return render(
        request,
        "notifications/overdue.html",
        {
            "counts": counts,
            "items": items,
            "rule": rule,
            "rule_label": labels.get(rule, ""),
            "agency": agencies.get(agency_id),
            "drill": bool(rule or agency_id),
            "today": today,
            "nav_active": "notifications",
        },
    )

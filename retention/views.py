"""保存期間と匿名化: what is due (approve one by one) and the ledger of what was done."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.forms import apply_service_errors
from agencies.policy import require

from . import services
from .forms import RetentionRuleForm
from .models import Anonymisation, RetentionRule


@login_required
def index(request):
    require(request.user, "retention.view")
    items = Anonymisation.objects.select_related("approved_by")
    context = {
        "rules": RetentionRule.objects.all(),
        "due": items.filter(status=Anonymisation.Status.DUE),
        "done": items.filter(status=Anonymisation.Status.DONE).order_by("-approved_at")[:200],
        "nav_active": "admin",
    }
    return render(request, "retention/index.html", context)


@login_required
@require_POST
def approve(request, public_id):
    require(request.user, "retention.approve")
    item = get_object_or_404(Anonymisation, public_id=public_id)
    try:
        services.anonymisation_approve(item=item, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(record)s の個人情報を匿名化しました(対象者%(p)s人、ファイル%(f)s件を削除)。")
            % {"record": item.record_label, "p": item.persons, "f": item.files},
        )
    return redirect("retention:index")


@login_required
def rule_edit(request, kind):
    require(request.user, "retention.approve")
    rule = get_object_or_404(RetentionRule, kind=kind)
    form = RetentionRuleForm(
        request.POST or None,
        initial={
            "years_after_closure": rule.years_after_closure,
            "legal_basis": rule.legal_basis,
            "enabled": rule.enabled,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_rule_update(rule=rule, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("保存期間を変更しました。"))
            return redirect("retention:index")
    return render(
        request,
        "retention/rule_form.html",
        {"form": form, "rule": rule, "nav_active": "admin"},
        status=400 if form.errors else 200,
    )

"""Endpoints of the search-as-you-type pickers (agencies/combobox.py): 本人, 世帯, 本人同意 and
支援ケース.

Each asks the policy first (care staff only), answers only what the actor may see, and records
the names shown in the audit log like the person search does."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from agencies.combobox import limited, picker_response
from agencies.policy import require
from audit.services import record_list
from cases.selectors import pickers

HINT = gettext_lazy("氏名・ふりがな(ひらがな・カタカナ)・生年(例: 1950、昭和25)で検索できます。")
MORE = gettext_lazy("もう1文字入力するか、生年を加えてください(例: たな、た 1950)。")


def _hint(q: str, default) -> str:
    if not q.strip():
        return str(default)
    return str(MORE) if pickers.too_short(q) else ""


@login_required
@require_GET
def person_picker(request):
    """本人. With ?household= (the support-case form's 本人), that household's living members."""
    require(request.user, "person.search")
    q = request.GET.get("q", "")
    household = request.GET.get("household")  # None: any person; "": none chosen yet
    persons, more = limited(pickers.person_pick(actor=request.user, q=q, household=household))
    record_list(actor=request.user, action="person.search", objects=persons)
    if household is None:
        hint = _hint(q, HINT)
    else:
        hint = "" if household else _("先に世帯を選んでください。")
    return picker_response(request, pickers.person_options(persons), more=more, hint=hint)


@login_required
@require_GET
def household_picker(request):
    require(request.user, "household.list")
    q = request.GET.get("q", "")
    households, more = limited(pickers.household_pick(actor=request.user, q=q))
    record_list(actor=request.user, action="household.list", objects=households)
    return picker_response(
        request,
        pickers.household_options(actor=request.user, households=households),
        more=more,
        hint=_hint(q, _("世帯主の氏名・ふりがな、または住所で検索できます。")),
    )


@login_required
@require_GET
def consent_picker(request):
    require(request.user, "consent.list")
    person = request.GET.get("person", "")
    consents, more = limited(
        pickers.consent_pick(actor=request.user, person=person, q=request.GET.get("q", ""))
    )
    record_list(actor=request.user, action="consent.list", objects=consents)
    return picker_response(
        request,
        pickers.consent_options(consents),
        more=more,
        hint="" if person else _("先に本人を選んでください。"),
    )


@login_required
@require_GET
def case_picker(request, closed: bool = False):
    """支援ケース by case number or the 本人's name / ふりがな / birth year, among the cases the
    actor may see. ?household= narrows to one household's cases; `closed` (the pick/cases/closed/
    route: 前の支援) keeps the closed ones. The cases shown are audited like a case list."""
    require(request.user, "case.list")
    q = request.GET.get("q", "")
    household = request.GET.get("household")
    cases, more = limited(
        pickers.case_pick(
            actor=request.user,
            q=q,
            household=household,
            closed=closed,
        )
    )
    record_list(actor=request.user, action="case.list", objects=cases)
    if household == "":
        hint = _("先に世帯を選んでください。")
    elif household is None and not q.strip():
        hint = _("ケース番号(例: R8-0001)、本人の氏名・ふりがな・生年で検索できます。")
    else:
        hint = str(MORE) if not cases and pickers.too_short(q) else ""
    return picker_response(
        request, pickers.case_options(actor=request.user, cases=cases), more=more, hint=hint
    )

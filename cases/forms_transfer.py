"""The 異動・引継ぎ form: the transfer date, one successor for all, and per item a successor and a
note (a row left empty takes the successor for all)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.forms import DateField


class TransferForm(forms.Form):
    transfer_date = DateField(label=_("異動日(新しい所属の初日)"), initial=timezone.localdate)
    successor = forms.ModelChoiceField(
        label=_("後任者(全件をまとめて)"),
        queryset=None,
        required=False,
        help_text=_("項目ごとに後任者を選んだものは、そちらが優先されます。"),
    )
    note = forms.CharField(
        label=_("引継ぎ事項(全件共通)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, successors, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["successor"].queryset = successors
        # One query for all rows: each row's select reuses the evaluated list.
        self.successor_by_pk = {str(u.pk): u for u in successors}
        choices = [("", "---------")] + [(k, str(u)) for k, u in self.successor_by_pk.items()]
        for n in range(len(items)):
            self.fields[f"to_{n}"] = forms.ChoiceField(
                label=_("後任者"), choices=choices, required=False
            )
            self.fields[f"note_{n}"] = forms.CharField(
                label=_("引継ぎ事項"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        return [(item, self[f"to_{n}"], self[f"note_{n}"]) for n, item in enumerate(self.items)]

    def assignments(self) -> tuple[dict, dict]:
        to, notes = {}, {}
        for n, item in enumerate(self.items):
            if self.cleaned_data.get(f"to_{n}"):
                to[item.ref] = self.successor_by_pk[self.cleaned_data[f"to_{n}"]]
            if self.cleaned_data.get(f"note_{n}"):
                notes[item.ref] = self.cleaned_data[f"note_{n}"]
        return to, notes

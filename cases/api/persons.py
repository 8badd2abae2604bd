"""REST API for persons, households and consents: the same selectors, services and policy as
the HTML pages. Records are addressed by public_id. A serializer shows only the fields of the
sections the policy grants (`visible_sections`)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from agencies.api import (
    ERRORS,
    READ_ERRORS,
    AuditedListMixin,
    Conflict,
    ErrorBodySerializer,
    PolicyPermission,
    VersionedSerializer,
    audited_read,
)
from agencies.api_contract import PARSERS
from agencies.models import Agency, Area
from agencies.paging import all_rows
from agencies.policy import check, require
from audit.services import record
from cases.choices import InfoKind
from cases.forms_persons import parse_japanese_date
from cases.models import Consent, Household, HouseholdMember, Person
from cases.policy.persons import (
    PERSON_FIELDS_BY_SECTION,
    household_access,
    households_visible_to,
    person_decisions,
    person_fields_for,
    persons_visible_to,
)
from cases.selectors.persons import household_members, person_find_duplicates, person_search
from cases.services import persons as services

router = DefaultRouter()


def _conflict(exc: services.ConflictError) -> Conflict:
    return Conflict(
        str(exc),
        your_version=exc.your_version,
        current_version=exc.current_version,
        fields=[name for name, _mine, _theirs in exc.differences],
    )


# --- error bodies of this module (the project's shape plus what a client needs) ---------------


class VersionConflictBodySerializer(ErrorBodySerializer):
    fields = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("他の人が変更した項目")
    )
    your_version = serializers.IntegerField()
    current_version = serializers.IntegerField()


class VersionConflictSerializer(serializers.Serializer):
    error = VersionConflictBodySerializer()


class MatchSerializer(serializers.Serializer):
    """A likely existing record; one the user may not see carries only the agency name."""

    person = serializers.UUIDField(allow_null=True)
    name = serializers.CharField(required=False)
    kana = serializers.CharField(required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    agency = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    score = serializers.IntegerField()


class MatchesSerializer(serializers.Serializer):
    matches = MatchSerializer(many=True)


class DuplicatesBodySerializer(ErrorBodySerializer):
    matches = MatchSerializer(many=True)


class DuplicatesErrorSerializer(serializers.Serializer):
    error = DuplicatesBodySerializer()


class MergedBodySerializer(ErrorBodySerializer):
    merged_into = serializers.UUIDField()


class MergedErrorSerializer(serializers.Serializer):
    error = MergedBodySerializer()


UPDATE_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(VersionConflictSerializer, description=gettext_lazy("同時更新")),
}


def _date_param(value):
    if not value:
        return None
    try:
        return parse_japanese_date(value)
    except ValidationError as exc:
        raise serializers.ValidationError({"birth_date": exc.messages})


class JapaneseDateSerializerField(serializers.DateField):
    """ISO dates, and the typed forms the HTML accepts (1950/4/1, 昭和25年4月1日), with the same
    Japanese messages (2月30日 is named as impossible)."""

    def to_internal_value(self, value):
        if value in (None, ""):
            return None
        try:
            return parse_japanese_date(str(value))
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages)


# --- persons -------------------------------------------------------------------------------


class AccessSerializer(serializers.Serializer):
    basis = serializers.CharField()
    label = serializers.CharField()
    sections = serializers.ListField(child=serializers.ChoiceField(choices=InfoKind.choices))


class PersonSerializer(VersionedSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    registered_by_agency = serializers.CharField(source="registered_by_agency.name", read_only=True)
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), required=False, allow_null=True
    )
    birth_date = JapaneseDateSerializerField(required=False, allow_null=True)
    deceased_on = JapaneseDateSerializerField(required=False, allow_null=True)
    moved_out_on = JapaneseDateSerializerField(required=False, allow_null=True)
    age = serializers.SerializerMethodField()
    access = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            *PERSON_FIELDS_BY_SECTION[InfoKind.BASIC],
            "notes",
            "age",
            "registered_by_agency",
            "access",
            "version",
        ]

    def get_age(self, person) -> int | None:
        return person.age()

    @extend_schema_field(AccessSerializer)
    def get_access(self, person):
        decision = self._decision(person)
        return {
            "basis": decision.basis,
            "label": decision.basis_label,
            "sections": sorted(decision.sections),
        }

    def _decision(self, person):
        decisions = self.context.setdefault("decisions", {})
        if person.pk not in decisions:
            decisions.update(person_decisions(self.context["request"].user, [person]))
        return decisions[person.pk]

    def to_representation(self, person):
        data = super().to_representation(person)
        sections = self._decision(person).sections
        allowed = set(person_fields_for(sections)) | {
            "id",
            "registered_by_agency",
            "access",
            "version",
        }
        if InfoKind.BASIC in sections:
            allowed.add("age")
        return {k: v for k, v in data.items() if k in allowed}


class PersonCreateSerializer(PersonSerializer):
    agency = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("登録する機関のコード(複数の機関に所属するとき)"),
    )
    confirm_new = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=gettext_lazy("似た記録があっても新しく登録する"),
    )

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "agency", "confirm_new"]


@extend_schema_serializer(many=False)  # already the page: not wrapped in another envelope
class PersonSearchSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PersonSerializer(many=True)
    elsewhere = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text=gettext_lazy('見る権限のない一致: 機関名のみ ({"agency": …})'),
    )


class PersonMergeSerializer(serializers.Serializer):
    absorb = serializers.UUIDField()
    reason = serializers.CharField(max_length=200)


class PersonMergeResultSerializer(serializers.Serializer):
    kept = serializers.UUIDField()
    absorbed = serializers.UUIDField()
    moved = serializers.DictField(
        child=serializers.IntegerField(), help_text=gettext_lazy("移した記録の数(種類ごと)")
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", description=gettext_lazy("氏名またはふりがな")),
            OpenApiParameter(
                "birth_date", description=gettext_lazy("生年月日(1950-04-01、昭和25年4月1日…)")
            ),
            OpenApiParameter("phone"),
            OpenApiParameter("case_number"),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses={200: PersonSearchSerializer, **ERRORS},
    ),
    retrieve=extend_schema(
        responses={
            200: PersonSerializer,
            301: OpenApiResponse(MergedErrorSerializer, description=gettext_lazy("統合済み")),
            **READ_ERRORS,
        }
    ),
    create=extend_schema(
        request=PersonCreateSerializer,
        responses={
            201: PersonSerializer,
            **ERRORS,
            409: OpenApiResponse(
                DuplicatesErrorSerializer,
                description=gettext_lazy("同じ方の記録があるかもしれない"),
            ),
        },
    ),
    update=extend_schema(responses={200: PersonSerializer, **UPDATE_ERRORS}),
    partial_update=extend_schema(responses={200: PersonSerializer, **UPDATE_ERRORS}),
)
class PersonViewSet(
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Search: `q` (name or ふりがな, kana/width-insensitive), `birth_date`, `phone`,
    `case_number`. Without a criterion, lists the persons the user may see. Matches outside the
    user's scope are listed only as agency names under `elsewhere`."""

    list_audit_action = "person.search"

    serializer_class = PersonSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    filter_backends: list = []
    policy_actions = {
        "list": "person.search",
        "retrieve": "person.view",
        "create": "person.create",
        "update": "person.update",
        "partial_update": "person.update",
        "merge": "person.merge",
        "duplicates": "person.create",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        if self.action == "list":
            return persons_visible_to(self.request.user).select_related(
                "registered_by_agency", "area"
            )
        # Any record may be addressed; the policy decides (object permission).
        return Person.objects.select_related("registered_by_agency", "area")

    def list(self, request, *args, **kwargs):
        params = request.query_params
        criteria = {
            "q": params.get("q", ""),
            "birth_date": _date_param(params.get("birth_date")),
            "phone": params.get("phone", ""),
            "case_number": params.get("case_number", ""),
        }
        result = person_search(actor=request.user, **criteria)
        qs = (
            result.persons if result.searched else self.get_queryset().order_by("kana_search", "pk")
        )
        page = self.paginate_queryset(qs)
        context = self.get_serializer_context()
        context["decisions"] = person_decisions(request.user, page)
        data = PersonSerializer(page, many=True, context=context).data
        response = self.get_paginated_response(data)
        shown = all_rows(getattr(self.paginator, "page", None)) if result.searched else None
        response.data["elsewhere"] = [{"agency": n} for n in result.elsewhere(visible=shown)]
        return response

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        if person.merged_into_id:
            return Response(
                {
                    "error": {
                        "code": "merged",
                        "message": _("この記録は統合されました。"),
                        "merged_into": str(person.merged_into.public_id),
                    }
                },
                status=status.HTTP_301_MOVED_PERMANENTLY,
            )
        services.person_record_view(actor=request.user, person=person, what="person.view")
        return Response(self.get_serializer(person).data)

    def create(self, request, *args, **kwargs):
        serializer = PersonCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data, _version = serializer.service_data()
        code, confirm_new = data.pop("agency", ""), data.pop("confirm_new")
        agency = None
        if code:
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                raise serializers.ValidationError({"agency": [_("不明な機関です。")]})
        if not confirm_new:
            matches = person_find_duplicates(actor=request.user, data=data)
            if matches:
                raise Conflict(
                    _(
                        "同じ方の記録がすでにあるかもしれません。確認のうえ confirm_new=true で登録してください。"
                    ),
                    code="possible_duplicates",
                    matches=[_match_json(m) for m in matches],
                )
        person = services.person_create(actor=request.user, data=data, agency=agency)
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        person = self.get_object()
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(person, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data, version = serializer.service_data()
        try:
            person = services.person_update(
                actor=request.user, person=person, data=data, expected_version=version
            )
        except services.ConflictError as exc:
            raise _conflict(exc) from None
        return Response(self.get_serializer(person).data)

    @extend_schema(request=PersonSerializer, responses={200: MatchesSerializer, **ERRORS})
    @action(detail=False, methods=["post"])
    def duplicates(self, request):
        """Likely existing records for the posted person data (nothing is saved)."""
        require(request.user, "person.create")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, _version = serializer.service_data()
        matches = person_find_duplicates(actor=request.user, data=data)
        return Response({"matches": [_match_json(m) for m in matches]})

    @extend_schema(
        request=PersonMergeSerializer, responses={200: PersonMergeResultSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, public_id=None):
        """Merge the record `absorb` (a duplicate) into this one; `reason` is kept in the audit
        log."""
        keep = self.get_object()
        body = PersonMergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        absorb = Person.objects.filter(public_id=body.validated_data["absorb"]).first()
        if absorb is None or not check(request.user, "person.merge", absorb):
            raise NotFound
        report = services.person_merge(
            keep=keep, absorb=absorb, actor=request.user, reason=body.validated_data["reason"]
        )
        return Response(
            {"kept": str(keep.public_id), "absorbed": str(absorb.public_id), "moved": report.moved}
        )


def _match_json(match) -> dict:
    if match.visible:
        return {
            "person": str(match.person.public_id),
            "name": match.person.full_name,
            "kana": match.person.full_kana,
            "birth_date": match.person.birth_date
            if InfoKind.BASIC in match.decision.sections
            else None,
            "agency": match.agency_name,
            "reasons": match.reasons,
            "score": match.score,
        }
    return {"person": None, "agency": match.agency_name, "reasons": [], "score": match.score}


# --- households -------------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    """A current member; one whose record the user may not see shows only the registering
    agency (no id, no name)."""

    person = serializers.UUIDField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    agency = serializers.CharField(allow_null=True)
    relation = serializers.ChoiceField(choices=HouseholdMember.Relation.choices)
    relation_label = serializers.CharField()
    is_key_person = serializers.BooleanField()
    lives_together = serializers.BooleanField()
    is_main_carer = serializers.BooleanField()
    joined_on = serializers.DateField(allow_null=True)
    left_on = serializers.DateField(allow_null=True)
    left_reason = serializers.CharField()

    def to_representation(self, row):
        m = row.member
        out = {
            "person": str(m.person.public_id) if row.decision.allowed else None,
            "name": m.person.full_name if row.decision.allowed else None,
            "agency": None if row.decision.allowed else m.person.registered_by_agency.name,
            "relation": m.relation,
            "relation_label": m.get_relation_display(),
            "is_key_person": m.is_key_person,
            "lives_together": m.lives_together,
            "is_main_carer": m.is_main_carer,
            "joined_on": m.joined_on,
            "left_on": m.left_on,
            "left_reason": m.left_reason,
        }
        return out


class HouseholdSerializer(VersionedSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), required=False, allow_null=True
    )
    type_tags = serializers.ListField(
        child=serializers.ChoiceField(choices=Household.TypeTag.choices), required=False
    )
    registered_by_agency = serializers.CharField(source="registered_by_agency.name", read_only=True)
    person = serializers.UUIDField(
        write_only=True,
        required=False,
        help_text=gettext_lazy("作成時に必須: 最初の世帯員（本人）となる対象者のID"),
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "person",
            "postal_code",
            "address",
            "area",
            "type_tags",
            "notes",
            "registered_by_agency",
            "version",
        ]


class HouseholdDetailSerializer(HouseholdSerializer):
    members = MemberSerializer(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]


class MembersSerializer(serializers.Serializer):
    members = MemberSerializer(many=True)


class MemberAddSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    relation = serializers.ChoiceField(choices=HouseholdMember.Relation.choices)
    relation_note = serializers.CharField(required=False, allow_blank=True, max_length=50)
    is_key_person = serializers.BooleanField(required=False, default=False)
    lives_together = serializers.BooleanField(required=False, default=True)
    is_main_carer = serializers.BooleanField(required=False, default=False)
    joined_on = JapaneseDateSerializerField(required=False, allow_null=True)


class MemberLeaveSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    left_on = JapaneseDateSerializerField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=100)


@extend_schema_view(
    list=extend_schema(responses={200: HouseholdSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: HouseholdDetailSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: HouseholdSerializer, **ERRORS}),
    update=extend_schema(responses={200: HouseholdSerializer, **UPDATE_ERRORS}),
    partial_update=extend_schema(responses={200: HouseholdSerializer, **UPDATE_ERRORS}),
)
class HouseholdViewSet(
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    list_audit_action = "household.list"
    serializer_class = HouseholdSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    filter_backends: list = []
    policy_actions = {
        "list": "household.list",
        "retrieve": "household.view",
        "create": "household.create",
        "update": "household.update",
        "partial_update": "household.update",
        "members": "household.add_member",
        "leave": "household.member_leave",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Household.objects.none()
        if self.action == "list":
            return (
                households_visible_to(self.request.user)
                .select_related("registered_by_agency", "area")
                .order_by("-created_at", "pk")
            )
        # Any household may be addressed; the policy decides (object permission).
        return Household.objects.select_related("registered_by_agency", "area")

    def retrieve(self, request, *args, **kwargs):
        household = self.get_object()
        decision = household_access(request.user, household)
        record(actor=request.user, action="household.view", obj=household, basis=decision.basis)
        data = dict(self.get_serializer(household).data)
        data["members"] = MemberSerializer(
            household_members(actor=request.user, household=household), many=True
        ).data
        return Response(data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, _version = serializer.service_data()
        principal = None
        if data.get("person") is not None:
            principal = Person.objects.active().filter(public_id=data["person"]).first()
            if principal is None:
                raise serializers.ValidationError({"person": [_("対象者が見つかりません。")]})
            require(request.user, "person.view", principal)
        try:
            household = services.household_create(
                actor=request.user, data=data, principal=principal
            )
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(self.get_serializer(household).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        household = self.get_object()
        serializer = self.get_serializer(
            household, data=request.data, partial=kwargs.pop("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data, version = serializer.service_data()
        try:
            household = services.household_update(
                actor=request.user, household=household, data=data, expected_version=version
            )
        except services.ConflictError as exc:
            raise _conflict(exc) from None
        return Response(self.get_serializer(household).data)

    @extend_schema(request=MemberAddSerializer, responses={201: MembersSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def members(self, request, public_id=None):
        """Add a member (a person the user may see); answers with the current members."""
        household = self.get_object()
        body = MemberAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        person = persons_visible_to(request.user).filter(public_id=data.pop("person")).first()
        if person is None:
            raise serializers.ValidationError({"person": [_("世帯員を選んでください。")]})
        services.household_add_member(
            actor=request.user, household=household, person=person, **data
        )
        rows = household_members(actor=request.user, household=household)
        return Response(
            {"members": MemberSerializer(rows, many=True).data}, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=MemberLeaveSerializer, responses={200: MembersSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def leave(self, request, public_id=None):
        """A member leaves the household on `left_on`; answers with the current members."""
        household = self.get_object()
        body = MemberLeaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = (
            household.members.current()
            .filter(person__public_id=body.validated_data["person"])
            .first()
        )
        if member is None:
            raise NotFound
        services.household_member_leave(
            actor=request.user,
            member=member,
            left_on=body.validated_data.get("left_on"),
            reason=body.validated_data.get("reason", ""),
        )
        rows = household_members(actor=request.user, household=household)
        return Response({"members": MemberSerializer(rows, many=True).data})


# --- consents ---------------------------------------------------------------------------------


class ConsentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id")
    agencies = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Agency.objects.all()
    )
    info_kinds = serializers.ListField(child=serializers.ChoiceField(choices=InfoKind.choices))
    given_on = JapaneseDateSerializerField()
    valid_until = JapaneseDateSerializerField(required=False, allow_null=True)
    recorded_by_agency = serializers.CharField(source="recorded_by_agency.name", read_only=True)
    explained_by = serializers.CharField(source="explained_by.display_name", read_only=True)
    in_force = serializers.SerializerMethodField()
    has_document = serializers.SerializerMethodField()
    document = serializers.FileField(write_only=True, required=False)

    class Meta:
        model = Consent
        fields = [
            "id",
            "person",
            "given_on",
            "method",
            "proxy_name",
            "proxy_relation",
            "agencies",
            "info_kinds",
            "valid_until",
            "withdrawn_at",
            "withdrawn_note",
            "note",
            "recorded_by_agency",
            "explained_by",
            "in_force",
            "has_document",
            "document",
        ]
        read_only_fields = ["withdrawn_at", "withdrawn_note"]

    def get_in_force(self, consent) -> bool:
        return consent.is_in_force()

    def get_has_document(self, consent) -> bool:
        return bool(consent.document)


class WithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "person", OpenApiTypes.UUID, description=gettext_lazy("この方の同意だけ")
            )
        ],
        responses={200: ConsentSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(responses={200: ConsentSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: ConsentSerializer, **ERRORS}),
)
class ConsentViewSet(
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Consents of persons the user may see; `?person=<public_id>` filters. Create records a
    consent (multipart for the scanned form); `withdraw` takes effect at once."""

    list_audit_action = "consent.list"

    serializer_class = ConsentSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    parser_classes = PARSERS
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    filter_backends: list = []
    policy_actions = {
        "list": "consent.list",
        "retrieve": "consent.view",
        "create": "consent.list",
        "withdraw": "consent.withdraw",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Consent.objects.none()
        qs = (
            Consent.objects.filter(person__in=persons_visible_to(self.request.user).values("pk"))
            .select_related("person", "recorded_by_agency", "explained_by")
            .prefetch_related("agencies")
            .order_by("-given_on", "-pk")
        )
        person = self.request.query_params.get("person")
        if person and self.action == "list":
            try:
                qs = qs.filter(person__public_id=person)
            except ValidationError:
                raise serializers.ValidationError({"person": [_("不正なIDです。")]})
        return qs

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person = Person.objects.active().filter(public_id=data.pop("person")["public_id"]).first()
        if person is None:
            raise serializers.ValidationError({"person": [_("対象者が見つかりません。")]})
        require(request.user, "consent.create", person)
        consent = services.consent_record(
            actor=request.user,
            person=person,
            given_on=data["given_on"],
            method=data["method"],
            agencies=data["agencies"],
            info_kinds=data["info_kinds"],
            valid_until=data.get("valid_until"),
            proxy_name=data.get("proxy_name", ""),
            proxy_relation=data.get("proxy_relation", ""),
            note=data.get("note", ""),
            document=data.get("document"),
        )
        return Response(self.get_serializer(consent).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, *args, **kwargs):
        consent = self.get_object()
        audited_read(request, "consent.view", consent)
        return Response(self.get_serializer(consent).data)

    @extend_schema(request=WithdrawSerializer, responses={200: ConsentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, public_id=None):
        """Withdraw the consent (effective at once); `note` says how it was expressed."""
        consent = self.get_object()
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consent = services.consent_withdraw(
            actor=request.user, consent=consent, note=body.validated_data.get("note", "")
        )
        return Response(self.get_serializer(consent).data)


router.register("persons", PersonViewSet, basename="person")
router.register("households", HouseholdViewSet, basename="household")
router.register("consents", ConsentViewSet, basename="consent")

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from agencies.policy import require

from .models import AuditEvent


@login_required
def event_list(request):
    require(request.user, "audit.view")
    page = Paginator(AuditEvent.objects.all(), 100).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page_obj": page, "nav_active": "admin"})

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .policy import require
from .selectors import agencies_visible_to, staff_visible_to


@login_required
def admin_home(request):
    require(request.user, "settings.manage")
    return render(request, "agencies/admin_home.html", {"nav_active": "admin"})


@login_required
def agency_list(request):
    require(request.user, "agency.view")
    page = Paginator(agencies_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "agencies/agency_list.html", {"page_obj": page, "nav_active": "admin"})


@login_required
def staff_list(request):
    require(request.user, "staff.list")
    qs = staff_visible_to(request.user)
    if request.GET.get("no_membership"):
        qs = qs.filter(memberships__isnull=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "agencies/staff_list.html", {"page_obj": page, "nav_active": "admin"})

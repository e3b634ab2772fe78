from django.contrib import admin

from .models import Division, KeyVillageDesignation, Level


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("^code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    ordering = ("code",)
    show_full_result_count = False  # the count query adds nothing on a 37,000-row table

    def get_readonly_fields(self, request, obj=None):
        # Editing the primary key in the admin would save a copy under the new code, not rename the division.
        return ("code",) if obj is not None else ()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isascii() and term.isdigit():
            # A code prefix: a case-sensitive prefix match can use the key's index (C collation on PostgreSQL).
            queryset = queryset.filter(code__startswith=term)
        else:
            queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
            if may_have_duplicates:
                queryset = queryset.distinct()
        if request.GET.get("model_name") == "keyvillagedesignation" and request.GET.get("field_name") == "village":
            # The autocomplete of KeyVillageDesignation.village offers villages only.
            queryset = queryset.filter(level=Level.VILLAGE)
        return queryset, False


@admin.register(KeyVillageDesignation)
class KeyVillageDesignationAdmin(admin.ModelAdmin):
    list_display = ("village", "category", "year")
    list_filter = ("category", "year")
    search_fields = ("^village__code", "village__name")
    list_select_related = ("village",)
    autocomplete_fields = ("village",)
    ordering = ("village", "-year", "category")

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from rest_framework import generics

from catalog.models import Category, Product
from catalog.serializers import ProductSerializer


class ProductList(generics.ListAPIView):
    serializer_class = ProductSerializer

    def get_queryset(self):
        qs = Product.objects.filter(is_active=True)
        category = self.request.query_params.get("category")
        if category:
            qs = qs.filter(category__slug=category)
        return qs


class ProductDetail(generics.RetrieveAPIView):
    serializer_class = ProductSerializer
    lookup_field = "slug"
    queryset = Product.objects.select_related("category").prefetch_related("images")


def category_products(request, pk):
    category = get_object_or_404(Category, pk=pk)
    ids = [category.id] + [c.id for c in category.children.all()]
    products = Product.objects.filter(category_id__in=ids, is_active=True).order_by("-created_at")
    data = []
    for p in products:
        data.append({
            "id": p.id,
            "name": p.name,
            "price": str(p.price),
            "category": p.category.name,
            "image": p.images.first().url if p.images.exists() else None,
        })
    return JsonResponse({"results": data})


def search(request):
    q = request.GET.get("q", "")
    order = request.GET.get("order", "name")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, name, price FROM catalog_product "
            "WHERE is_active AND (name ILIKE %s OR description ILIKE %s) "
            "ORDER BY " + order + " LIMIT 50",
            [f"%{q}%", f"%{q}%"],
        )
        rows = cur.fetchall()
    return JsonResponse({"results": [{"id": r[0], "name": r[1], "price": str(r[2])} for r in rows]})

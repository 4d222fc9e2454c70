from decimal import Decimal

from django.db import transaction, connection
from django.db.models import F, Sum
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from rest_framework import generics, permissions
from rest_framework.exceptions import ValidationError

from catalog.models import Product
from orders.models import Order, OrderItem
from orders.serializers import OrderSerializer


class OrderListCreate(generics.ListCreateAPIView):
    serializer_class = OrderSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return Order.objects.filter(customer=self.request.user).order_by("-created_at")

    def perform_create(self, serializer):
        items = serializer.validated_data.pop("items")
        with transaction.atomic():
            order = Order.objects.create(
                customer=self.request.user,
                shipping_address=serializer.validated_data["shipping_address"],
            )
            total = Decimal("0")
            for item in items:
                product = Product.objects.select_for_update().get(pk=item["product"].pk)
                if product.stock < item["quantity"]:
                    raise ValidationError(f"not enough stock for {product.name}")
                product.stock = F("stock") - item["quantity"]
                product.save(update_fields=["stock"])
                OrderItem.objects.create(
                    order=order, product=product, quantity=item["quantity"], unit_price=product.price
                )
                total += product.price * item["quantity"]
            order.total = total
            order.save()
        serializer.instance = order


def order_detail(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    items = [
        {"product": i.product.name, "quantity": i.quantity, "unit_price": str(i.unit_price)}
        for i in order.items.all()
    ]
    return JsonResponse({"id": order.id, "status": order.status, "total": str(order.total), "items": items})


def sales_report(request):
    start = request.GET.get("start")
    end = request.GET.get("end")
    by_product = (
        OrderItem.objects.filter(order__status__in=["paid", "shipped"], order__created_at__range=(start, end))
        .values("product__name")
        .annotate(revenue=Sum(F("quantity") * F("unit_price")), units=Sum("quantity"))
        .order_by("-revenue")
    )
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT date_trunc('day', created_at) AS day, count(*), sum(total) FROM orders_order "
            f"WHERE status IN ('paid','shipped') AND created_at >= '{start}' AND created_at < '{end}' "
            f"GROUP BY 1 ORDER BY 1"
        )
        daily = [{"day": r[0].isoformat(), "orders": r[1], "revenue": str(r[2])} for r in cur.fetchall()]
    return JsonResponse({"by_product": list(by_product), "daily": daily})

from django.contrib import admin
from django.urls import path

from catalog import views as catalog_views
from orders import views as order_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/products/", catalog_views.ProductList.as_view()),
    path("api/products/<slug:slug>/", catalog_views.ProductDetail.as_view()),
    path("api/categories/<int:pk>/products/", catalog_views.category_products),
    path("api/search/", catalog_views.search),
    path("api/orders/", order_views.OrderListCreate.as_view()),
    path("api/orders/<int:pk>/", order_views.order_detail),
    path("api/reports/sales/", order_views.sales_report),
]

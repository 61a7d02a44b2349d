"""Realistic request data: one contact that sets every field the spec defines, nested deep.

`test_full_contact_sets_every_field_of_the_spec` keeps it complete when the spec grows.
Values are already in the form the client sends back (`Z` for UTC, lower-case UUIDs), so
the body on the wire can be compared with this data as it is.
"""

from __future__ import annotations

from typing import Any

ACCOUNT_ID = "acc_01HZX3K9Q7"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjb250cmFjdC10ZXN0In0.c2ln"  # no `exp`: never refreshed
API_KEY = "mk_test_contract_3f9a2c"

REDEEM = {"id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "amount": 1}

PRODUCT: dict[str, Any] = {
    "sku": "SKU-12345",
    "amount": 2,
    "value": 9.5,
    "discounted_value": 8.75,
    "redeem": [{"id": "9f1b5a2e-7c4d-4e8f-a1b2-c3d4e5f60718", "amount": 1}],
    "tags": {"category": "bebidas", "seasonal": True},
    "metadata": {"supplier": "Proveedora del Norte", "batch": 42},
}

SHIPPING: dict[str, Any] = {
    "value": 3.25,
    "discounted_value": 2.25,
    "redeem": [REDEEM],
    "tags": {"express": True},
    "metadata": {"carrier": "Estafeta", "tracking": "EST-000987"},
}

ORDER: dict[str, Any] = {
    "purchase_id": "order-000456",
    "value": 20.95,
    "discounted_value": 10.95,
    "products": [PRODUCT, {"sku": "SKU-67890", "amount": 1, "value": 1.95}],
    "payment_method": "CREDIT",
    "channel_id": "web",
    "store_id": "store-001",
    "shipping": SHIPPING,
    "redeem": [REDEEM],
    "metadata": {"coupon": "BIENVENIDA10", "nested": {"list": [1, 2.5, "tres", None]}},
    "brand_id": "brand-001",
}

ADDRESS: dict[str, Any] = {
    "street_1": "Avenida Insurgentes Sur",
    "street_2": "Piso 3",
    "street_number": "1234",
    "reference": "Entre Calle A y Calle B",
    "alias": "Casa",
    "zip_code": "03100",
    "city": "Ciudad de México",
    "state": "CDMX",
    "country": "MX",
}

BILLING_INFO: dict[str, Any] = {
    "document_number": "GALA900101ABC",
    "document_type": "RFC",
    "legal_name": "Ana García López",
    "alias": "Personal",
    "street_1": "Avenida Insurgentes Sur",
    "street_2": "Piso 3",
    "street_number": "1234",
    "city": "Ciudad de México",
    "state": "CDMX",
    "country": "MX",
    "zip_code": "03100",
    "phone": "+52 55 1234 5678",
    "email": "facturas@example.com",
}

PAYMENTS: list[dict[str, Any]] = [
    {
        "method": "CREDIT",
        "last_four": "4242",
        "card_holder": "Ana García",
        "card_brand": "VISA",
        "alias": "Tarjeta principal",
        "expiry_month": 12,
        "expiry_year": 2028,
    },
    # Payment.method is an open enumeration: a value outside the guessed list is sent.
    {"method": "PAYPAL", "alias": "Monedero"},
]

FULL_CONTACT: dict[str, Any] = {
    "created_at": "2023-11-07T05:31:56Z",
    "updated_at": "2024-02-01T10:00:00.250000-06:00",
    "deleted_at": None,
    "external_id": "crm-000123",
    "first_name": "Ana",
    "second_name": "Sofía",
    "last_name": "García",
    "second_last_name": "López",
    "email": "ana.garcia+loyalty@example.com.mx",
    "email_verified": True,
    "dob": "1990-12-25",
    "gender": "FEMALE",
    "country": "MX",
    "city": "Ciudad de México",
    "phone": "+52 55 1234 5678",
    "is_anonymous": False,
    "source": "crm",
    "channel": "ecommerce",
    "phone_verified": False,
    "document_type": "RFC",
    "document_number": "GALA900101ABC",
    "status": "ACTIVE",
    "tags": {"vip": True, "segment": "gold"},
    "addresses": [ADDRESS, {"alias": "Oficina", "city": "Monterrey", "country": "MX"}],
    "billing_info": [BILLING_INFO],
    "payments": PAYMENTS,
    "order": ORDER,
}

SMALL_CONTACTS: list[dict[str, Any]] = [
    {"external_id": "crm-000124", "first_name": "Luis", "email": "luis@example.com",
     "gender": "MALE", "status": "INACTIVE", "deleted_at": "2024-05-01T00:00:00Z"},
    {"external_id": "crm-000125"},
]

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


# -- the rest of the API: one realistic call per operation ------------------------------

CUSTOMER_ID = "cust-000123"
REWARD_ID = "5b7c1a2e-3d4f-4a5b-9c6d-7e8f9a0b1c2d"
TIER_ID = "0d3e9f8a-1b2c-4d5e-8f9a-0b1c2d3e4f5a"

PERIOD: dict[str, Any] = {
    "from": "2024-01-01T00:00:00Z",
    "to": "2024-12-31T23:59:59Z",
    "tier_id": TIER_ID,
    "last_visit": "2024-12-20T18:30:00Z",
    "last_session": "2024-12-21T09:00:00Z",
    "spend_total": 1520.75,
    "number_of_purchases": 14,
}

FULL_CUSTOMER: dict[str, Any] = {
    "id": CUSTOMER_ID,
    "name": "Ana García López",
    "email": "ana.garcia@example.com",
    "gender": "FEMALE",
    "dob": "1990-12-25T00:00:00Z",
    "registration_date": "2021-03-04T10:00:00Z",
    "document_type": "RFC",
    "document_number": "GALA900101ABC",
    "country": "MX",
    "metrics": {"updated_at": "2025-01-01T00:00:00Z", "lifetime": PERIOD, "this_year": PERIOD,
                "last_semester": {"spend_total": 300.5}, "last_week": {"number_of_purchases": 1}},
    "balance": [{"reward_id": REWARD_ID, "amount": 250, "expiration_date": "2026-01-01T00:00:00Z",
                 "brand_id": "brand-001", "channel_id": "web", "store_id": "store-001",
                 "issued_at": "2024-06-01T12:00:00Z", "funded_by": "MARKETING"}],
}

MIGRATED_EVENT: dict[str, Any] = {
    "type": "PURCHASE",
    "brand_id": "brand-001",
    "channel_id": "web",
    "store_id": "store-001",
    "order": ORDER,
    "fulfilled": True,
    "issued_at": "2024-06-01T12:00:00Z",
    "resolved_at": "2024-06-01T12:05:00Z",
}

MIGRATED_TRANSACTION: dict[str, Any] = {
    "brand_id": "brand-001",
    "reward_id": REWARD_ID,
    "details": "Opening balance",
    "type": "ACCUMULATION",
    "issued_at": "2024-06-01T12:00:00Z",
    "resolved_at": "2024-06-01T12:05:00Z",
    "amount": 250,
    "cost": 12.5,
    "store_id": "store-001",
    "channel_id": "web",
    "event": {"type": "PURCHASE", "order": ORDER},
    "funded_by": "MARKETING",
}

CONTACT_FIELDS = {k: v for k, v in FULL_CONTACT.items() if k != "order"}

# operationId -> (route, resource, method, positional arguments, keyword arguments)
OPERATIONS: dict[str, tuple[str, str, str, tuple[Any, ...], dict[str, Any]]] = {
    "list_contacts": ("GET /contacts", "contacts", "list_contacts", (), {}),
    "create_contact": ("POST /contacts", "contacts", "create_contact", (), CONTACT_FIELDS),
    "update_contact": ("PUT /contacts/crm-000123", "contacts", "update_contact", ("crm-000123",),
                       {**CONTACT_FIELDS, "persona_id": "p-1"}),
    "create_totp": ("POST /auth/totp", "auth", "create_totp", (),
                    {"customer_id": CUSTOMER_ID, "metadata": {"reason": "login"}}),
    "verify_totp": ("GET /auth/totp/verify", "auth", "verify_totp", (), {"code": "1234"}),
    "register_customer": ("POST /customers", "customers", "register_customer", (), {
        "id": CUSTOMER_ID, "name": "Ana García", "email": "ana@example.com",
        "platforms": ["web", "ios"], "is_anonymous": False, "gender": "FEMALE",
        "dob": "1990-12-25T00:00:00Z", "registration_date": "2021-03-04T10:00:00Z",
        "tier_id": TIER_ID, "tags": {"vip": True}, "metrics": {}, "status": "ACTIVE",
        "devices": [{"device_token": "fcm-abc", "device_info": {"platform": "ios",
                                                                 "model": "iPhone 15",
                                                                 "osVersion": "17.4"}}],
        "consent": {"version": "2.0"}, "metadata": {"source": "crm"},
        "referral_code": "ZMQQJTAZ", "document_type": "RFC", "document_number": "X1",
        "country": "MX"}),
    "get_customer": (f"GET /customers/{CUSTOMER_ID}", "customers", "get_customer",
                     (CUSTOMER_ID,), {}),
    "update_customer": (f"PATCH /customers/{CUSTOMER_ID}", "customers", "update_customer",
                        (CUSTOMER_ID,), {"name": "Ana G.", "gender": "FEMALE",
                                         "dob": "1990-12-25T00:00:00Z", "tags": {"a": 1},
                                         "metadata": {}}),
    "register_device": (f"PATCH /customers/{CUSTOMER_ID}/devices", "customers",
                        "register_device", (CUSTOMER_ID,),
                        {"device_token": "fcm-abc", "device_info": {"platform": "android"}}),
    "remove_devices": (f"DELETE /customers/{CUSTOMER_ID}/devices", "customers",
                       "remove_devices", (CUSTOMER_ID,), {}),
    "list_customer_transactions": (f"GET /customers/{CUSTOMER_ID}/transactions", "customers",
                                   "list_customer_transactions", (CUSTOMER_ID,),
                                   {"year": 2024, "brand_id": "brand-001",
                                    "reward_id": REWARD_ID, "type": "MIGRATION"}),
    "request_referral_code": (f"POST /customers/{CUSTOMER_ID}/referrals/request-code",
                              "customers", "request_referral_code", (CUSTOMER_ID,),
                              {"campaign_id": REWARD_ID, "brand_id": None}),
    "list_gift_cards": (f"GET /customers/{CUSTOMER_ID}/rewards/gift-cards", "customers",
                        "list_gift_cards", (CUSTOMER_ID,), {}),
    "migrate_customers": ("POST /customers/migrate", "customers", "migrate_customers", (),
                          {"customers": [FULL_CUSTOMER, {"id": "cust-000124"}]}),
    "migrate_events": ("POST /customers/migrate/events", "customers", "migrate_events", (),
                       {"customers": [{"id": CUSTOMER_ID,
                                       "events": [MIGRATED_EVENT, MIGRATED_EVENT]}]}),
    "migrate_transactions": ("POST /customers/migrate/transactions", "customers",
                             "migrate_transactions", (),
                             {"customers": [{"id": CUSTOMER_ID,
                                             "transactions": [MIGRATED_TRANSACTION]}]}),
    "fulfill_expired_events": ("POST /customers/fulfill_expired_events", "customers",
                               "fulfill_expired_events", (),
                               {"start_date": "2024-01-01", "end_date": "2024-06-30"}),
    "emit_event": ("POST /behavior/events", "behavior", "emit_event", (), {
        "customer_id": CUSTOMER_ID, "brand_id": "brand-001", "type": "PURCHASE",
        "platform": "web", "order": ORDER, "product": PRODUCT, "fulfilled": False,
        "reserve": 1, "redeem": [REDEEM], "tags": {"x": 1}, "referral_code": "ZMQQJTAZ",
        "metadata": {}, "issued_at": "2024-06-01T12:00:00Z"}),
    "fulfill_event": ("PATCH /behavior/events/ev-1/fulfill", "behavior", "fulfill_event",
                      ("ev-1",), {}),
    "reverse_event": ("POST /behavior/events/ev-1/reverse", "behavior", "reverse_event",
                      ("ev-1",), {"reason": "Order cancelled"}),
    "preview_order": ("PUT /events/redeem/preview", "behavior", "preview_order", (),
                      {"customer_id": CUSTOMER_ID, "brand_id": "brand-001", "order": ORDER}),
    "redeem_coupon": ("POST /coupons/redeem", "coupons", "redeem_coupon", (), {
        "customer_id": CUSTOMER_ID, "code": "BIENVENIDA10", "brand_id": None,
        "platform": "web", "store_id": "store-001", "channel_id": "web"}),
    "list_campaigns": ("GET /campaigns", "campaigns", "list_campaigns", (), {
        "from_": "0", "to": "9", "type": "COUPONS", "brand_id": "brand-001",
        "status": "NOT FINISHED", "labels": "summer,vip"}),
    "create_campaign": ("POST /campaigns", "campaigns", "create_campaign", (), {
        "type": "BEHAVIOR", "name": "Summer", "rules": [{"conditions": [], "effects": []}],
        "start_date": "2030-01-01T00:00:00Z", "end_date": "2030-06-01T00:00:00Z",
        "attributes": {"trigger": "PURCHASE"}, "budget": 1000.0}),
    "get_campaign": ("GET /campaigns/camp-1", "campaigns", "get_campaign", ("camp-1",),
                     {"customer_id": CUSTOMER_ID, "includes": "CODES_SUMMARY"}),
    "list_rewards": ("GET /rewards", "rewards", "list_rewards", (),
                     {"from_": "0", "to": "49", "brand_id": "brand-001", "type": "POINTS"}),
    "create_reward": ("POST /rewards", "rewards", "create_reward", (), {
        "name": "Points", "type": "POINTS", "brand_id": None, "platforms": None,
        "description": "One point per peso",
        "conditions": [[{"type": "Order Value", "operator": "grater than",
                         "primitive": "currency", "value": 9.95}]],
        "attributes": {"conversion_factor": 0.1}}),
    "get_reward": (f"GET /rewards/{REWARD_ID}", "rewards", "get_reward", (REWARD_ID,), {}),
    "list_tiers": ("GET /tiers", "tiers", "list_tiers", (), {}),
    "list_transactions": ("GET /transactions", "transactions", "list_transactions", (), {
        "date": "31-07-2024", "brand_id": "brand-001", "reward_id": REWARD_ID,
        "campaign_id": "camp-1", "event_id": "ev-1", "type": "REVERSAL",
        "funded_by": "MARKETING"}),
}

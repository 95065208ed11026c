"""A little reference data for service tests: two lines, a category tree, one operator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.storage.schema import (
    Category,
    ComplexityLevel,
    Customer,
    CustomerPhone,
    Department,
    Line,
    LineNumber,
    Operator,
    Priority,
)


@dataclass(frozen=True)
class Ref:
    support_line: int
    billing_line: int
    internet: int
    no_connection: int
    billing: int
    refund: int
    simple: int
    normal_priority: int
    second_line: int
    operator: str
    customer: int
    customer_region: str


def make_reference(engine: Engine) -> Ref:
    with Session(engine) as s, s.begin():
        support = Line(name="Home internet & TV", numbers=[LineNumber(number="+78005550100")])
        billing_line = Line(name="Billing", numbers=[LineNumber(number="+78005550102")])
        internet = Category(name="Internet")
        billing = Category(name="Billing")
        s.add_all([support, billing_line, internet, billing])
        s.flush()
        no_connection = Category(name="No connection", parent_id=internet.id)
        refund = Category(name="Refund", parent_id=billing.id)
        simple = ComplexityLevel(name="Simple", rank=1)
        normal = Priority(name="Normal", rank=1, response_hours=24)
        second = Department(name="Second line")
        operator = Operator(login="ivanov", display_name="Иван Иванов", position="Operator")
        customer = Customer(
            contract_number="CN-0000001",
            name="Ада Лавлейс",
            region="Тверская область",
            phones=[CustomerPhone(e164="+79123456789")],
        )
        s.add_all([no_connection, refund, simple, normal, second, operator, customer])
        s.flush()
        return Ref(
            support_line=support.id,
            billing_line=billing_line.id,
            internet=internet.id,
            no_connection=no_connection.id,
            billing=billing.id,
            refund=refund.id,
            simple=simple.id,
            normal_priority=normal.id,
            second_line=second.id,
            operator=operator.login,
            customer=customer.id,
            customer_region="Тверская область",
        )

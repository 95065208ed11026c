"""Translated names of the ticket fields and transitions.

`app.tickets.drafts.FIELD_LABELS` and `app.tickets.rules.TRANSITION_LABELS` hold the English
source texts; pyside6-lupdate scans app/ui only, so the same texts are repeated here as literal
`QCoreApplication.translate` calls (context ``"TicketField"`` / ``"TicketTransition"``).
`tests/gui/test_ticket_form.py` checks the two tables stay in step.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.tickets.drafts import FieldName
from app.tickets.rules import Transition


def field_name(name: FieldName) -> str:
    """The field's name for messages ("Fill in Category, Resolution …")."""
    return {
        FieldName.CUSTOMER: QCoreApplication.translate("TicketField", "Customer"),
        FieldName.LINE: QCoreApplication.translate("TicketField", "Line"),
        FieldName.CATEGORY: QCoreApplication.translate("TicketField", "Category"),
        FieldName.COMPLEXITY: QCoreApplication.translate("TicketField", "Complexity"),
        FieldName.PRIORITY: QCoreApplication.translate("TicketField", "Priority"),
        FieldName.SUBJECT: QCoreApplication.translate("TicketField", "Subject"),
        FieldName.DESCRIPTION: QCoreApplication.translate("TicketField", "Description"),
        FieldName.RESOLUTION: QCoreApplication.translate("TicketField", "Resolution"),
        FieldName.STATUS: QCoreApplication.translate("TicketField", "Status"),
        FieldName.DEPARTMENT: QCoreApplication.translate("TicketField", "Department"),
        FieldName.ASSIGNEE: QCoreApplication.translate("TicketField", "Assignee"),
        FieldName.DUE_DATE: QCoreApplication.translate("TicketField", "Due date"),
    }[name]


def field_label(name: FieldName) -> str:
    """The form's label for the field, with its Alt mnemonic (unique within the form)."""
    return {
        FieldName.CUSTOMER: QCoreApplication.translate("TicketField", "C&ustomer:"),
        FieldName.LINE: QCoreApplication.translate("TicketField", "&Line:"),
        FieldName.CATEGORY: QCoreApplication.translate("TicketField", "&Category:"),
        FieldName.COMPLEXITY: QCoreApplication.translate("TicketField", "Comple&xity:"),
        FieldName.PRIORITY: QCoreApplication.translate("TicketField", "&Priority:"),
        FieldName.SUBJECT: QCoreApplication.translate("TicketField", "Su&bject:"),
        FieldName.DESCRIPTION: QCoreApplication.translate("TicketField", "&Description:"),
        FieldName.RESOLUTION: QCoreApplication.translate("TicketField", "&Resolution:"),
        FieldName.STATUS: QCoreApplication.translate("TicketField", "S&tatus:"),
        FieldName.DEPARTMENT: QCoreApplication.translate("TicketField", "Dep&artment:"),
        FieldName.ASSIGNEE: QCoreApplication.translate("TicketField", "Assi&gnee:"),
        FieldName.DUE_DATE: QCoreApplication.translate("TicketField", "Due dat&e:"),
    }[name]


def transition_text(transition: Transition) -> str:
    """What the operator was trying to do, to end "Fill in … to {action}."."""
    return {
        Transition.CREATE: QCoreApplication.translate("TicketTransition", "save a new ticket"),
        Transition.SAVE: QCoreApplication.translate("TicketTransition", "save the ticket"),
        Transition.START: QCoreApplication.translate("TicketTransition", "take the ticket into work"),
        Transition.ESCALATE: QCoreApplication.translate(
            "TicketTransition", "pass the ticket to another department"
        ),
        Transition.WAIT_CUSTOMER: QCoreApplication.translate("TicketTransition", "wait for the customer"),
        Transition.RESOLVE: QCoreApplication.translate("TicketTransition", "resolve the ticket"),
        Transition.CLOSE: QCoreApplication.translate("TicketTransition", "close the ticket"),
        Transition.REOPEN: QCoreApplication.translate("TicketTransition", "reopen the ticket"),
    }[transition]

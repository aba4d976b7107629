"""The outbox: reports and confirmations that could not be sent at once, kept and sent later, each exactly once.

When the council's Open311 service fails (down, a 500, an answer we can't read) or the outcome is unknown (a
timeout after the report was sent), the report is kept in the action server's own database (actions/storage/) and
the resident gets a submission number at once, never a reference they can't yet have. A background pass
(`deliver_due`, run by the action server every OUTBOX_WORKER_SECONDS) sends what is due, with exponential back-off.
Each report carries its submission number as `attribute[submission_key]`; after an unknown outcome the pass asks
Open311 for it before sending again, so a report is never made twice. When a report arrives, its reference is
sent to the resident by Notify (through this same outbox) if they gave contact details, and "any news on my
report?" with the submission number finds it (report_status.py).
"""
from .store import OutboxItem, OutboxStore, outbox
from .worker import Delivered, deliver_due

__all__ = ["Delivered", "OutboxItem", "OutboxStore", "deliver_due", "outbox"]

"""Warm handoff: every worry becomes a ticket held by a named consultant. Channel-agnostic.

Services (`tickets.hand_off`, `claim`, `reply`, `transfer`, `close`, `escalate_overdue`,
`delete_resident`; `outbox.claim_due` / `deliver_due`; `site.load_site_file`) take a session and
never commit: the caller owns the transaction. `api.router` is the consultant JSON API, which
`bot` mounts; residents are reached only through `outbox.ChannelSender`, which `bot` implements.
Importing this package loads neither FastAPI nor any channel SDK.
"""

"""Use-cases: one function per thing a person or the scheduler intends.

Each takes an open unit of work (``core.repositories.UnitOfWork``) and runs inside its one
transaction; the face that called it (chat, CLI, scheduler, web) commits once when it is done, so an
action is whole or not at all. Permissions are re-checked here from the actor as the database has it
now. Results are plain data; faces only parse and render. A refusal is a ``core.errors.DomainError``
raised before anything is written.
"""

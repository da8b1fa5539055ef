"""Allow and deny lists: PostgreSQL keeps the entries, Redis mirrors the live ones for Assess."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.riskcontrol.domain.attempt import validate_identifier, validate_request_id
from services.riskcontrol.domain.errors import InvalidArgument
from services.riskcontrol.domain.keys import KeyHasher, KeyLevel, KeySpec
from services.riskcontrol.domain.records import AccessListEntry
from services.riskcontrol.domain.scoring import AccessList
from services.riskcontrol.service_layer.ports import Clock, IdFactory, Page, Registry, SignalStore

MAX_ENTRY_TTL = timedelta(days=365)
MAX_NOTE_LENGTH = 1000


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@dataclass
class AccessLists:
    registry: Registry
    store: SignalStore
    hasher: KeyHasher
    clock: Clock
    ids: IdFactory

    async def add(
        self,
        tenant_id: str,
        request_id: str,
        access_list: AccessList,
        spec: KeySpec,
        expire_time: datetime | None,
        ttl: timedelta | None,
        note: str,
        created_by: str,
    ) -> tuple[AccessListEntry, bool]:
        validate_request_id(request_id)
        if len(note) > MAX_NOTE_LENGTH:
            raise InvalidArgument("note", f"must be at most {MAX_NOTE_LENGTH} characters")
        key = spec.canonical(tenant_id, self.hasher, "key")
        now = self.clock.now()
        expires = _expiry(now, expire_time, ttl)
        entry = AccessListEntry(
            self.ids.new_id("acl"), access_list, spec.level, key, expires, note, created_by, now
        )
        digest = fingerprint(access_list, key, expire_time, ttl, note, created_by)
        stored, replaced = await self.registry.add_list_entry(tenant_id, entry, request_id, digest)
        await self.store.put_list_entry(tenant_id, stored)
        return stored, replaced

    async def remove(self, tenant_id: str, request_id: str, entry_id: str) -> AccessListEntry:
        validate_request_id(request_id)
        validate_identifier(entry_id, "entry_id")
        entry = await self.registry.remove_list_entry(
            tenant_id, entry_id, request_id, fingerprint(entry_id), self.clock.now()
        )
        await self.store.remove_list_entry(tenant_id, entry.key)
        return entry

    async def list(
        self,
        tenant_id: str,
        access_list: AccessList | None,
        level: KeyLevel | None,
        spec: KeySpec | None,
        include_expired: bool,
        page: Page,
    ) -> tuple[list[AccessListEntry], str]:
        key = spec.canonical(tenant_id, self.hasher, "key") if spec is not None else ""
        return await self.registry.list_entries(
            tenant_id, access_list, level, key, include_expired, self.clock.now(), page
        )

    async def mirror(self) -> int:
        """Copies every live entry to Redis again (after a Redis restart lost them)."""
        entries = await self.registry.live_entries(self.clock.now())
        for tenant_id, entry in entries:
            await self.store.put_list_entry(tenant_id, entry)
        return len(entries)


def _expiry(now: datetime, expire_time: datetime | None, ttl: timedelta | None) -> datetime:
    if expire_time is not None:
        if expire_time <= now:
            raise InvalidArgument("expire_time", "must be in the future")
        return min(expire_time, now + MAX_ENTRY_TTL)
    if ttl is None:
        raise InvalidArgument("expiry", "expire_time or ttl is required")
    if ttl <= timedelta(0):
        raise InvalidArgument("ttl", "must be positive")
    return now + min(ttl, MAX_ENTRY_TTL)

/** `/settings/household`: the chosen ledger (name, month start day), its members and their roles, invitation
 * links, a new ledger, and deleting this one. What a role may not do is not offered: owners manage; everyone
 * may leave (the server keeps the last owner: `last_owner`). */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { type Failure, failureMessage, fieldErrors } from "../api/problem";
import { Field, SelectField } from "../components/Field";
import { LoadError, Loading, Said } from "../components/Message";
import { NewLedger } from "../components/NewLedger";
import { PageTitle } from "../components/PageTitle";
import { useMe } from "../data";
import { formatDateTime, useI18n } from "../i18n";
import type { Messages } from "../i18n/en";
import { call, membersStore } from "../ledger";
import { type Ledger, type Member, pickLedger, type Role, roleName, useLedger } from "../ledgers";
import { api } from "../services";
import { useResource } from "../useResource";

const ROLES: Role[] = ["owner", "editor", "viewer"];

/** What a failure says, or a fallback when it says nothing (the session is over: the app is leaving). */
const sayFailure = (failure: Failure, t: Messages): Said => {
  const message = failureMessage(failure, t);
  return message ? { error: message } : null;
};

export default function Household() {
  const { t } = useI18n();
  const { ledger, switchTo } = useLedger();
  const owner = ledger.role === "owner";
  return (
    <div class="settings">
      <PageTitle>{t.household}</PageTitle>
      <LedgerSettings key={ledger.id} ledger={ledger} />
      <Members />
      {owner && <Invites />}
      <NewLedger onCreated={(created) => switchTo(created.id, t.ledgerCreated(created.name))} />
      {owner && <DeleteLedger ledger={ledger} />}
    </div>
  );
}

function LedgerSettings({ ledger }: { ledger: Ledger }) {
  const { t } = useI18n();
  const { reload } = useLedger();
  const [name, setName] = useState(ledger.name);
  const [startDay, setStartDay] = useState(String(ledger.month_start_day));
  const [fields, setFields] = useState<Record<string, string>>({});
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);
  const owner = ledger.role === "owner";
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setSaid(null);
    const day = Number(startDay);
    const outcome = await call(() =>
      api.PATCH("/api/v1/ledgers/{ledger_id}", { params: { path: { ledger_id: ledger.id } }, body: { name: name.trim(), month_start_day: Number.isInteger(day) ? day : -1 } }),
    );
    setBusy(false);
    if ("data" in outcome) {
      setFields({});
      setSaid({ notice: t.ledgerSaved });
      await reload(); // the switcher's name and every screen's month follow
      return;
    }
    setFields(fieldErrors(outcome.failure, t));
    setSaid(sayFailure(outcome.failure, t));
  };
  return (
    <section class="card" aria-labelledby="ledger-title">
      <h2 id="ledger-title">{t.thisLedger}</h2>
      <Said said={said} />
      {owner ? (
        <form noValidate onSubmit={submit}>
          <Field id="ledger_name" label={t.ledgerName} maxLength={100} value={name} onValue={setName} error={fields.name} />
          <Field
            id="month_start_day"
            label={t.monthStartDay}
            type="number"
            inputMode="numeric"
            min={1}
            max={28}
            value={startDay}
            onValue={setStartDay}
            hint={t.monthStartHelp}
            error={fields.month_start_day}
            class="input--short"
          />
          <p class="hint">
            {t.currency}: {ledger.currency}
          </p>
          <button type="submit" class="button button--primary" disabled={busy}>
            {t.save}
          </button>
        </form>
      ) : (
        <dl class="facts">
          <dt>{t.ledgerName}</dt>
          <dd>{ledger.name}</dd>
          <dt>{t.monthStartDay}</dt>
          <dd>{ledger.month_start_day}</dd>
          <dt>{t.currency}</dt>
          <dd>{ledger.currency}</dd>
          <dt>{t.role}</dt>
          <dd>{roleName(ledger.role, t)}</dd>
        </dl>
      )}
    </section>
  );
}

function Members() {
  const { t } = useI18n();
  const { ledger, ledgers, switchTo, reload } = useLedger();
  const me = useMe().data;
  const members = membersStore.use();
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);
  const owner = ledger.role === "owner";
  const path = (member: Member) => ({ params: { path: { ledger_id: ledger.id, user_id: member.user_id } } });

  const changeRole = async (member: Member, role: Role) => {
    setSaid(null);
    setBusy(true);
    const outcome = await call(() => api.PATCH("/api/v1/ledgers/{ledger_id}/members/{user_id}", { ...path(member), body: { role } }));
    setBusy(false);
    if ("failure" in outcome) return setSaid(sayFailure(outcome.failure, t));
    setSaid({ notice: t.roleChanged(member.display_name, roleName(role, t)) });
    await membersStore.reload();
    if (member.user_id === me?.id) await reload(); // my own role: what this screen offers changes
  };
  const remove = async (member: Member) => {
    setSaid(null);
    setBusy(true);
    const outcome = await call(() => api.DELETE("/api/v1/ledgers/{ledger_id}/members/{user_id}", path(member)));
    setBusy(false);
    if ("failure" in outcome) return setSaid(sayFailure(outcome.failure, t));
    if (member.user_id === me?.id) {
      // Left: work in another ledger of mine (my default), and say so there.
      const next = pickLedger(
        ledgers.filter((l) => l.id !== ledger.id),
        null,
        me.default_ledger_id,
      );
      if (next) switchTo(next.id, t.leftLedger(ledger.name));
      await reload();
      return;
    }
    setSaid({ notice: t.memberRemoved(member.display_name) });
    await Promise.all([membersStore.reload(), reload()]);
  };

  const self = members.data?.find((m) => m.user_id === me?.id);
  // The last owner cannot leave (the server answers `last_owner`): say what to do instead of offering it.
  const soleOwner = self?.role === "owner" && members.data?.filter((m) => m.role === "owner").length === 1;
  return (
    <section class="card" aria-labelledby="members-title">
      <h2 id="members-title">{t.members}</h2>
      <p class="hint">{t.roleHelp}</p>
      <Said said={said} />
      {members.failure && <LoadError failure={members.failure} retry={members.reload} />}
      {members.data === undefined ? (
        members.loading && <Loading />
      ) : (
        <ul class="members" aria-label={t.members} aria-busy={members.loading || busy || undefined}>
          {members.data.map((member) => {
            const mine = member.user_id === me?.id;
            const name = mine ? `${member.display_name} (${t.you})` : member.display_name;
            return (
              <li key={member.user_id} class="member">
                <div class="member__text">
                  <strong>{name}</strong>
                  <span class="hint">{member.email}</span>
                </div>
                {owner ? (
                  <div class="member__actions">
                    <SelectField
                      id={`role-${member.user_id}`}
                      label={t.roleOf(member.display_name)}
                      value={member.role}
                      onValue={(role) => void changeRole(member, role as Role)}
                      disabled={busy}
                    >
                      {ROLES.map((role) => (
                        <option key={role} value={role}>
                          {roleName(role, t)}
                        </option>
                      ))}
                    </SelectField>
                    {!mine && (
                      <button type="button" class="button button--small button--quiet" onClick={() => void remove(member)} disabled={busy}>
                        {t.removeMember(member.display_name)}
                      </button>
                    )}
                  </div>
                ) : (
                  <span class="member__role">{roleName(member.role, t)}</span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {self && soleOwner && <p class="hint">{t.soleOwnerCannotLeave}</p>}
      {self && !soleOwner && (
        <button type="button" class="button button--quiet" onClick={() => void remove(self)} disabled={busy}>
          {t.leaveLedger}
        </button>
      )}
    </section>
  );
}

function Invites() {
  const { t, lang } = useI18n();
  const { ledger } = useLedger();
  const ledgerPath = { params: { path: { ledger_id: ledger.id } } };
  const open = useResource(
    async (signal) => {
      const outcome = await call(() => api.GET("/api/v1/ledgers/{ledger_id}/invites", { params: { path: { ledger_id: ledger.id } }, signal }));
      return "data" in outcome ? { data: outcome.data.items } : outcome;
    },
    [ledger.id],
  );
  const [role, setRole] = useState<Role>("editor");
  const [link, setLink] = useState<string | null>(null);
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);

  const create = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaid(null);
    setBusy(true);
    const outcome = await call(() => api.POST("/api/v1/ledgers/{ledger_id}/invites", { ...ledgerPath, body: { role } }));
    setBusy(false);
    if ("failure" in outcome) return setSaid(sayFailure(outcome.failure, t));
    setLink(`${location.origin}/invite/${outcome.data.token ?? ""}`);
    open.reload();
  };
  const copy = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setSaid({ notice: t.linkCopied });
    } catch {
      setSaid({ error: t.copyFailed });
    }
  };
  const revoke = async (id: number) => {
    setSaid(null);
    const outcome = await call(() => api.DELETE("/api/v1/ledgers/{ledger_id}/invites/{invite_id}", { params: { path: { ledger_id: ledger.id, invite_id: id } } }));
    if ("failure" in outcome) return setSaid(sayFailure(outcome.failure, t));
    setSaid({ notice: t.inviteRevoked });
    setLink(null);
    open.reload();
  };

  return (
    <section class="card" aria-labelledby="invites-title">
      <h2 id="invites-title">{t.invites}</h2>
      <p class="hint">{t.invitesHelp}</p>
      <Said said={said} />
      <form noValidate onSubmit={create} class="inline-form">
        <SelectField id="invite_role" label={t.inviteRole} value={role} onValue={(value) => setRole(value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {roleName(r, t)}
            </option>
          ))}
        </SelectField>
        <button type="submit" class="button button--primary" disabled={busy}>
          {t.createInvite}
        </button>
      </form>
      {link && (
        <div class="invite-link">
          <Field id="invite_link" label={t.inviteLink} value={link} onValue={() => undefined} readOnly onFocus={(event) => event.currentTarget.select()} />
          <button type="button" class="button" onClick={() => void copy()}>
            {t.copyLink}
          </button>
        </div>
      )}
      <h3>{t.openInvites}</h3>
      {open.failure && <LoadError failure={open.failure} retry={open.reload} />}
      {open.data === undefined ? (
        open.loading && <Loading />
      ) : open.data.length === 0 ? (
        <p class="hint">{t.noOpenInvites}</p>
      ) : (
        <ul class="invites" aria-label={t.openInvites} aria-busy={open.loading || undefined}>
          {open.data.map((invite) => {
            const what = t.inviteLine(roleName(invite.role, t), formatDateTime(invite.expires_at, lang));
            return (
              <li key={invite.id} class="invite">
                <span>{what}</span>
                <button type="button" class="button button--small button--quiet" aria-label={t.revokeInvite(what)} onClick={() => void revoke(invite.id)}>
                  {t.revoke}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function DeleteLedger({ ledger }: { ledger: Ledger }) {
  const { t } = useI18n();
  const { ledgers, switchTo, reload } = useLedger();
  const me = useMe().data;
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaid(null);
    if (typed !== ledger.name) return setError(t.ledgerNameMismatch);
    setError(undefined);
    setBusy(true);
    const outcome = await call(() => api.DELETE("/api/v1/ledgers/{ledger_id}", { params: { path: { ledger_id: ledger.id } }, body: { name: typed } }));
    setBusy(false);
    if ("failure" in outcome) {
      if (fieldErrors(outcome.failure, t).name) setError(t.ledgerNameMismatch);
      return setSaid(sayFailure(outcome.failure, t));
    }
    const next = pickLedger(
      ledgers.filter((l) => l.id !== ledger.id),
      null,
      me?.default_ledger_id ?? null,
    );
    if (next) switchTo(next.id, t.ledgerDeleted(ledger.name));
    await reload();
  };
  return (
    <section class="card card--danger" aria-labelledby="delete-ledger-title">
      <h2 id="delete-ledger-title">{t.deleteLedger}</h2>
      <p class="hint">{t.deleteLedgerHelp}</p>
      <Said said={said} />
      <form noValidate onSubmit={submit}>
        <Field id="delete_ledger_name" label={t.typeLedgerName(ledger.name)} autoComplete="off" value={typed} onValue={setTyped} error={error} />
        <button type="submit" class="button button--danger" disabled={busy}>
          {t.deleteLedger}
        </button>
      </form>
    </section>
  );
}

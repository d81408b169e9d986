/** `/invite/<token>`: what an invitation offers (the ledger's name, who invited, the role; no sign-in needed to
 * read it). Signed out, it asks to sign in or register first and comes back here; signed in, Join accepts it
 * and works in that ledger from then on. */
import { useContext, useState } from "preact/hooks";
import type { Schemas } from "../api/client";
import { type Failure, failureMessage, failureOf } from "../api/problem";
import { Alert, LoadError, Loading } from "../components/Message";
import { PageTitle } from "../components/PageTitle";
import { formatDateTime, useI18n } from "../i18n";
import { call } from "../ledger";
import { LedgerContext, roleName } from "../ledgers";
import { Link, navigate, withNext } from "../router";
import { api, publicApi } from "../services";
import { useResource } from "../useResource";

type InviteInfo = Schemas["InviteInfo"];

/** A link that can never work (unknown, used, expired, withdrawn): its message, and no Retry. */
const isFinal = (failure: Failure) => failure.kind === "problem" && (failure.status === 404 || failure.status === 410);

export default function Invite({ token }: { token: string }) {
  const { t, lang } = useI18n();
  const choice = useContext(LedgerContext); // present when signed in
  const invite = useResource<InviteInfo>(
    async (signal) => {
      const result = await publicApi.GET("/api/v1/invites/{token}", { params: { path: { token } }, signal });
      return result.data ? { data: result.data } : { failure: failureOf(result) };
    },
    [token],
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const here = `/invite/${token}`;

  const join = async () => {
    setError(null);
    setBusy(true);
    const outcome = await call(() => api.POST("/api/v1/invites/{token}/accept", { params: { path: { token } } }));
    setBusy(false);
    if ("failure" in outcome) return setError(failureMessage(outcome.failure, t));
    if (!choice) return;
    await choice.reload();
    navigate("/");
    choice.switchTo(outcome.data.id, t.joined(outcome.data.name));
  };

  const info = invite.data;
  return (
    <section class="card invite-card">
      <PageTitle>{info ? t.inviteTo(info.ledger_name) : t.inviteTitle}</PageTitle>
      {invite.failure && (isFinal(invite.failure) ? <Alert>{failureMessage(invite.failure, t)}</Alert> : <LoadError failure={invite.failure} retry={invite.reload} />)}
      {!info ? (
        invite.loading && <Loading />
      ) : (
        <>
          <p class="lead">{t.invitedBy(info.inviter, roleName(info.role, t))}</p>
          <p class="hint">{t.inviteExpires(formatDateTime(info.expires_at, lang))}</p>
          {error && <Alert>{error}</Alert>}
          {choice ? (
            <button type="button" class="button button--primary" onClick={() => void join()} disabled={busy}>
              {busy ? t.joining : t.join}
            </button>
          ) : (
            <>
              <p>{t.signInToJoin}</p>
              <p class="actions">
                <Link href={withNext("/login", here)} class="button button--primary">
                  {t.signIn}
                </Link>
                <Link href={withNext("/register", here)} class="button">
                  {t.createAccount}
                </Link>
              </p>
            </>
          )}
        </>
      )}
    </section>
  );
}

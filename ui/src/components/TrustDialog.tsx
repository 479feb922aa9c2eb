// Trust on first use: a sign-in whose SAML assertion comes from another IdP issuer, or whose role
// is in an account the profile has not used, waits here until the user trusts it or drops it. It
// decides nothing; the backend holds the assertion and asked the question.
import type { TrustQuestion } from "../api";
import { IconAlert } from "./icons";
import { Modal } from "./Modal";

interface Props {
  question: TrustQuestion;
  onConfirm: (profile: string) => void;
  onReject: (profile: string) => void;
}


export function TrustDialog({ question: q, onConfirm, onReject }: Props) {
  const reject = () => onReject(q.profile);
  return (
    <Modal labelledBy="trust-title" describedBy="trust-desc" onEscape={reject} class="confirm trust" testId="trust-dialog" data={{ profile: q.profile }}>
      <header class="dialog-head">
        <h2 id="trust-title">
          <IconAlert class="trust-icon" /> Confirm this sign-in
        </h2>
        <p class="muted">
          Profile <strong>{q.profile}</strong> · role{" "}
          <strong class="mono" data-testid="trust-role" title={q.role_arn}>
            {q.role_name}
          </strong>
        </p>
      </header>
      <div class="dialog-body">
        <p id="trust-desc">
          This sign-in does not come from where this profile signed in before. If it is not yours, it could be someone else's account
          taking over your docker pulls: sign in only if you expected the change.
        </p>
        <table class="trust-compare">
          <thead>
            <tr>
              <td />
              <th scope="col">This sign-in</th>
              <th scope="col">Before</th>
            </tr>
          </thead>
          <tbody>
            {q.new_issuer && (
              <tr data-testid="trust-issuer">
                <th scope="row">Identity provider</th>
                <td class="mono trust-new" data-testid="trust-issuer-new">
                  {q.issuer ?? <span class="muted">none named</span>}
                </td>
                <td class="mono" data-testid="trust-issuer-known">
                  {q.known_issuer ?? <span class="muted">none</span>}
                </td>
              </tr>
            )}
            {q.new_account && (
              <tr data-testid="trust-account">
                <th scope="row">AWS account</th>
                <td class="mono trust-new" data-testid="trust-account-new">
                  {q.account}
                </td>
                <td class="mono" data-testid="trust-accounts-known">
                  {q.known_accounts.length === 0 ? (
                    <span class="muted">none</span>
                  ) : (
                    q.known_accounts.map((a) => (
                      <span class="trust-known-account" key={a}>
                        {a}
                      </span>
                    ))
                  )}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <footer class="dialog-foot">
        <span class="spacer" />
        {/* Focus starts on the safe choice: Enter alone never trusts a sign-in. */}
        <button type="button" class="btn" data-autofocus data-testid="trust-reject" onClick={reject}>
          Don't sign in
        </button>
        <button type="button" class="btn primary" data-testid="trust-confirm" onClick={() => onConfirm(q.profile)}>
          Trust and sign in
        </button>
      </footer>
    </Modal>
  );
}

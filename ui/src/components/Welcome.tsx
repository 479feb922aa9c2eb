// First run: no config yet.
import { IconPlus, Logo } from "./icons";

export function Welcome({ configPath, onAdd }: { configPath: string | null; onAdd: () => void }) {
  return (
    <div class="welcome" data-testid="welcome">
      <Logo size={44} />
      <h1>Welcome to Dockpass</h1>
      <p class="lead">
        Dockpass signs you in at your company's identity provider and keeps AWS credentials and Amazon ECR logins for
        docker fresh, so <code>docker pull</code> just works.
      </p>
      <ol class="steps">
        <li>
          <strong>Add a profile</strong> with your identity provider's AWS app URL and your AWS region.
        </li>
        <li>
          <strong>Sign in</strong> and pick the role to use.
        </li>
        <li>
          <strong>Use docker</strong>; Dockpass refreshes the registry tokens before they run out.
        </li>
      </ol>
      <button type="button" class="btn primary large" data-testid="welcome-add" onClick={onAdd}>
        <IconPlus /> Add profile
      </button>
      {configPath && (
        <p class="muted small">
          Settings are saved to <span class="mono">{configPath}</span>
        </p>
      )}
    </div>
  );
}

import { lazy, type ReactNode, Suspense, useEffect, useRef, useState } from 'react';
import { Icon, FlintMark, type IconName } from '../components/icons';
import { Loading } from '../components/feedback';
import { EmptyState } from '../components/layout';
import { DeadLetterScreen } from '../screens/DeadLetterScreen';
import { DeadLettersScreen } from '../screens/DeadLettersScreen';
import { EventScreen } from '../screens/EventScreen';
import { EventsScreen } from '../screens/EventsScreen';
import { KeysScreen } from '../screens/KeysScreen';
import { OverviewScreen } from '../screens/OverviewScreen';
import { RunScreen } from '../screens/RunScreen';
import { RunsScreen } from '../screens/RunsScreen';
import { SecretsScreen } from '../screens/SecretsScreen';
import { SourceScreen } from '../screens/SourceScreen';
import { SourcesScreen } from '../screens/SourcesScreen';
import { TriggerScreen } from '../screens/TriggerScreen';
import { TriggersScreen } from '../screens/TriggersScreen';
import { Link, matchPath, useRouter } from './router';
import { isAdmin, useSession } from './session';

/** The builder and its editors are a chunk of their own: most visits never open it. */
const BuilderScreen = lazy(() => import('../builder/BuilderScreen'));

interface Route {
  pattern: string;
  render: (params: Record<string, string>) => ReactNode;
  title: string;
}

const ROUTES: Route[] = [
  { pattern: '/', title: 'Overview', render: () => <OverviewScreen /> },
  { pattern: '/sources', title: 'Sources', render: () => <SourcesScreen /> },
  { pattern: '/sources/:id', title: 'Source', render: (p) => <SourceScreen id={p.id!} /> },
  { pattern: '/triggers', title: 'Triggers', render: () => <TriggersScreen /> },
  { pattern: '/triggers/:id', title: 'Trigger', render: (p) => <TriggerScreen id={p.id!} /> },
  { pattern: '/builder', title: 'New trigger', render: () => <BuilderScreen /> },
  { pattern: '/builder/:id', title: 'Edit trigger', render: (p) => <BuilderScreen id={p.id!} /> },
  { pattern: '/events', title: 'Events', render: () => <EventsScreen /> },
  { pattern: '/events/:id', title: 'Event', render: (p) => <EventScreen id={p.id!} /> },
  { pattern: '/runs', title: 'Runs', render: () => <RunsScreen /> },
  { pattern: '/runs/:runId', title: 'Run', render: (p) => <RunScreen runId={p.runId!} /> },
  { pattern: '/dead-letters', title: 'Dead letters', render: () => <DeadLettersScreen /> },
  {
    pattern: '/dead-letters/:id',
    title: 'Dead letter',
    render: (p) => <DeadLetterScreen id={p.id!} />,
  },
  { pattern: '/keys', title: 'API keys', render: () => <KeysScreen /> },
  { pattern: '/secrets', title: 'Secrets', render: () => <SecretsScreen /> },
];

const NAV: Array<{ to: string; label: string; icon: IconName; admin?: boolean }> = [
  { to: '/', label: 'Overview', icon: 'overview' },
  { to: '/sources', label: 'Sources', icon: 'sources' },
  { to: '/triggers', label: 'Triggers', icon: 'triggers' },
  { to: '/events', label: 'Events', icon: 'pulse' },
  { to: '/runs', label: 'Runs', icon: 'runs' },
  { to: '/dead-letters', label: 'Dead letters', icon: 'inbox', admin: true },
  { to: '/keys', label: 'API keys', icon: 'keys', admin: true },
  { to: '/secrets', label: 'Secrets', icon: 'secrets' },
];

export function Shell() {
  const { location } = useRouter();
  const { principal, signOut } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const mainRef = useRef<HTMLElement>(null);

  const matched = ROUTES.map((route) => ({
    route,
    params: matchPath(route.pattern, location.path),
  })).find((m) => m.params !== undefined);
  const title = matched?.route.title ?? 'Not found';

  useEffect(() => {
    document.title = `${title} · Flint`;
  }, [title]);

  const active = (to: string) =>
    to === '/'
      ? location.path === '/'
      : location.path.startsWith(to) ||
        (to === '/triggers' && location.path.startsWith('/builder'));

  return (
    <div className={`shell ${menuOpen ? 'menu-open' : ''}`}>
      <a className="skip-link" href="#main" onClick={() => mainRef.current?.focus()}>
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="icon-btn topbar-menu"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          aria-label="Menu"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <Icon name="menu" size={20} />
        </button>
        <Link to="/" className="brand">
          <FlintMark size={26} />
          <span>Flint</span>
        </Link>
      </header>
      <aside id="sidebar" className="sidebar">
        <Link to="/" className="brand sidebar-brand">
          <FlintMark size={28} />
          <span>Flint</span>
        </Link>
        <nav aria-label="Main" className="nav">
          <ul>
            {NAV.filter((item) => !item.admin || isAdmin(principal)).map((item) => (
              <li key={item.to}>
                <Link
                  to={item.to}
                  className={`nav-item ${active(item.to) ? 'active' : ''}`}
                  aria-current={active(item.to) ? 'page' : undefined}
                >
                  <Icon name={item.icon} size={18} />
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <div className="whoami" aria-label="Signed in as">
            <span className="avatar" aria-hidden="true">
              <Icon name="user" size={16} />
            </span>
            <div>
              <p className="whoami-role">{principal.role}</p>
              <p className="whoami-owner">
                {principal.owner ? `owner ${principal.owner}` : 'all owners'}
              </p>
            </div>
          </div>
          <button type="button" className="nav-item signout" onClick={signOut}>
            <Icon name="logout" size={18} />
            Sign out
          </button>
        </div>
      </aside>
      {menuOpen && <div className="scrim" aria-hidden="true" onClick={() => setMenuOpen(false)} />}
      <main id="main" className="main" ref={mainRef} tabIndex={-1}>
        <Suspense fallback={<Loading label="Loading the builder" />}>
          {matched ? (
            matched.route.render(matched.params!)
          ) : (
            <EmptyState
              icon="search"
              title="There is no such page"
              action={<Link to="/">Go to the overview</Link>}
            />
          )}
        </Suspense>
      </main>
    </div>
  );
}

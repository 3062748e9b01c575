import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { JobsView } from './JobsView.js';
import { HORSES_BY_SIZE, QueryView } from './QueryView.js';
import { TablesView } from './TablesView.js';
import './styles.css';

const TABS = ['jobs', 'tables', 'query'] as const;
type Tab = (typeof TABS)[number];

const tabOfHash = (): Tab => (TABS as readonly string[]).includes(location.hash.slice(1)) ? (location.hash.slice(1) as Tab) : 'jobs';

function App() {
  const [tab, setTab] = useState<Tab>(tabOfHash());
  // The SQL outlives tab switches; the editor would otherwise forget it.
  const [sql, setSql] = useState(HORSES_BY_SIZE);
  useEffect(() => {
    const follow = () => setTab(tabOfHash());
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  const queryTable = (text: string) => {
    setSql(text);
    location.hash = 'query';
  };
  return (
    <>
      <header>
        <h1>gamepipe</h1>
        <nav>
          {TABS.map((t) => (
            <a key={t} href={`#${t}`} class={t === tab ? 'active' : ''}>{t}</a>
          ))}
        </nav>
      </header>
      <main>
        {tab === 'jobs' && <JobsView />}
        {tab === 'tables' && <TablesView onQuery={queryTable} />}
        {tab === 'query' && <QueryView sql={sql} setSql={setSql} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);

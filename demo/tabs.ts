// The page's tabs (WAI-ARIA tabs pattern: arrow keys move between tabs, one panel visible). Each
// panel can react to being shown or hidden, e.g. pause its audio or stop the camera when left.

export type TabId = 'audio' | 'call' | 'camera' | 'file';

export interface TabHooks {
  /** Called when the tab is shown (also on first show). */
  show?(): void;
  /** Called when another tab is chosen. */
  hide?(): void;
}

export class Tabs {
  private readonly tabs: HTMLButtonElement[];
  private current: TabId;

  constructor(list: HTMLElement, private readonly hooks: Partial<Record<TabId, TabHooks>>) {
    this.tabs = [...list.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    this.current = (this.tabs.find((tab) => tab.getAttribute('aria-selected') === 'true') ?? this.tabs[0]).id.replace('tab-', '') as TabId;
    list.addEventListener('click', (event) => {
      const tab = (event.target as HTMLElement).closest<HTMLButtonElement>('[role="tab"]');
      if (tab !== null) this.select(tab.id.replace('tab-', '') as TabId);
    });
    list.addEventListener('keydown', (event) => {
      const index = this.tabs.findIndex((tab) => tab.id === `tab-${this.current}`);
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0) return;
      event.preventDefault();
      const next = this.tabs[(index + step + this.tabs.length) % this.tabs.length];
      this.select(next.id.replace('tab-', '') as TabId);
      next.focus();
    });
    const fromHash = location.hash.replace('#', '');
    if (this.tabs.some((tab) => tab.id === `tab-${fromHash}`)) this.select(fromHash as TabId);
  }

  get selected(): TabId {
    return this.current;
  }

  select(id: TabId): void {
    const previous = this.current;
    for (const tab of this.tabs) {
      const on = tab.id === `tab-${id}`;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute('aria-controls') ?? '');
      if (panel !== null) panel.hidden = !on;
    }
    this.current = id;
    document.body.dataset.tab = id;
    if (previous !== id) this.hooks[previous]?.hide?.();
    this.hooks[id]?.show?.();
  }
}

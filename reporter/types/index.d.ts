/** Options of the reporter: the script tag's data-ihf-* attributes, init() or configure(). */
export interface ReporterOptions {
  /** IHF's API root, e.g. "https://ihf.example.com/api/v1". */
  endpoint?: string;
  /** An ingest key of the hub ("ihf_ingest_…"). */
  key?: string;
  /** The key's hub slug: widgets whose data-ihf-hub differs are not reported (and debug mode says so). */
  hub?: string;
  /** Explain in the console what is sent, refused, dropped or blocked. */
  debug?: boolean;
  /** How often waiting events are sent, in ms (5000). */
  flushMs?: number;
  /** Events per request (200, at most 1000). */
  maxBatch?: number;
  /** Events kept while they cannot be sent (1000); past it the oldest are dropped. */
  maxQueue?: number;
  /** Bytes per request or beacon (60000; under the browser's 64 KiB keep-alive quota). */
  maxBytes?: number;
  /** Share of browser sessions reported, 0 to 1 (1). */
  sampleRate?: number;
  /** "required": nothing is sent or stored, and no annotation taken, until consent(true). Use it when the
   * hub requires consent (its settings page's snippet then says data-ihf-consent="required"). */
  consent?: "granted" | "required";
  /** The person using the page, a UUID the host knows them by. */
  actorId?: string | null;
  /** What kind of actor ("user"). */
  actorType?: string;
  /** Keep unsent events in localStorage across reloads (true). */
  persist?: boolean;
  /** Treat history.pushState/replaceState/popstate URL changes as new page views (true). */
  routes?: boolean;
  /** A touch held this long on a widget opens the annotation form (600 ms). */
  longPressMs?: number;
}

export interface ErrorOptions {
  /** An element in (or of) the widget the error belongs to; else the widget used last. */
  element?: Element | null;
  kind?: string;
}

export interface Reporter {
  configure(options: ReporterOptions): void;
  flush(): void;
  /** Events not yet acknowledged by IHF. */
  pending(): number;
  /** Events dropped because the queue was full. */
  dropped(): number;
  /** Events IHF refused. */
  rejected(): number;
  /** Errors no widget could own (none used yet). */
  unattributed(): number;
  setActor(id: string | null, type?: string): void;
  /** true: the person agreed; requests say so from then on (`"consent": true`, which a hub that requires
   * consent needs). false: nothing is sent or stored any more, and what waits is forgotten. */
  consent(granted: boolean): void;
  optOut(): void;
  optIn(): void;
  annotate(element: Element): HTMLFormElement | null;
  reportError(error: unknown, options?: ErrorOptions): void;
  /** Start a new page view (route changes do it by themselves). */
  pageView(): void;
  destroy(): void;
  config(): Required<ReporterOptions>;
}

export interface WidgetEnvelope {
  id?: string | null;
  hub?: string;
  viewContext?: string;
  version?: string;
}

export type EnvelopeAttributes = {
  "data-ihf-widget"?: string;
  "data-ihf-hub"?: string;
  "data-ihf-view-context"?: string;
  "data-ihf-version"?: string;
};

export const DEFAULTS: Required<ReporterOptions>;
/** Start the page's reporter (or reconfigure it); null during server-side rendering. */
export function init(options?: ReporterOptions): Reporter | null;
export function reporter(): Reporter | null;
export function envelope(widget?: WidgetEnvelope): EnvelopeAttributes;

declare global {
  interface Window {
    __ihfReporter?: Reporter;
    ihfConfig?: ReporterOptions;
  }
}

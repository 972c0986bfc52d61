import type { ElementType, ReactNode } from "react";
import type { EnvelopeAttributes, Reporter, ReporterOptions, WidgetEnvelope } from "./index";

export function useIhfReporter(options: ReporterOptions): Reporter | null;
export function useIhfWidget(widget: WidgetEnvelope): EnvelopeAttributes;

export type IhfWidgetProps = WidgetEnvelope & {
  as?: ElementType;
  children?: ReactNode;
  [prop: string]: unknown;
};
export function IhfWidget(props: IhfWidgetProps): ReactNode;

export function ihfRootOptions(): {
  onCaughtError: (error: unknown) => void;
  onUncaughtError: (error: unknown) => void;
};

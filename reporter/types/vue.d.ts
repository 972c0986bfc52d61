import type { ObjectDirective, Plugin } from "vue";
import type { ReporterOptions, WidgetEnvelope } from "./index";

export const vIhf: ObjectDirective<HTMLElement, WidgetEnvelope | null | undefined>;
export const IhfVue: Plugin<[ReporterOptions?]>;

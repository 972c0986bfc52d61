// Compiled by `tsc -p types` (npm test): the declarations hold together and read as the docs use them.
import { envelope, init, type Reporter } from "@ihf/reporter";
import { IhfWidget, useIhfWidget, ihfRootOptions } from "@ihf/reporter/react";
import { IhfVue, vIhf } from "@ihf/reporter/vue";

const r: Reporter | null = init({ endpoint: "https://ihf.example.com/api/v1", key: "ihf_ingest_x", debug: true });
r?.setActor("0195f3c2-6a1b-7c3d-8e4f-5a6b7c8d9e0f", "customer");
r?.consent(true);
const attributes: { "data-ihf-widget"?: string } = envelope({ id: "3f6c2a9e-5b1d-4c1e-9a55-1f0e3b2c7d90", hub: "checkout" });
const props = useIhfWidget({ id: null });
const options = ihfRootOptions();
export { attributes, props, options, IhfWidget, IhfVue, vIhf };
// @ts-expect-error sampleRate is a number
init({ sampleRate: "half" });

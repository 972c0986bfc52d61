// The Vue adapter in Vue 3 (createApp, reactive state); react.test.js has the React adapter's.
import { createApp, h, nextTick, ref, withDirectives } from "vue";
import { describe, expect, it, vi } from "vitest";
import { IhfVue, vIhf } from "../src/vue.js";
import { byType, OTHER, reporter, server, settle, useReporter, WIDGET } from "./fakes.js";

useReporter();

async function flushed() {
  await settle();
  reporter.flush();
  await settle();
}

describe("Vue: v-ihf (defect 4)", () => {
  it("follows the bound id (updated), so clicks go to the current widget; a missing id is no envelope", async () => {
    const id = ref(WIDGET);
    const container = document.createElement("div");
    document.body.appendChild(container);
    const app = createApp({
      render: () => withDirectives(h("button", { id: "pay" }, "Pay"), [[vIhf, { id: id.value, hub: "checkout" }]]),
    });
    app.mount(container);
    const button = () => container.querySelector("#pay");
    button().click();
    id.value = OTHER;
    await nextTick();
    expect(button().getAttribute("data-ihf-widget")).toBe(OTHER);
    button().click();
    id.value = undefined;
    await nextTick();
    expect(button().hasAttribute("data-ihf-widget")).toBe(false); // never "undefined"
    button().click();
    await flushed();
    expect(byType(server, WIDGET, "clicked")).toHaveLength(1);
    expect(byType(server, OTHER, "clicked")).toHaveLength(1);
    expect(server.stored.size).toBe(2);
    app.unmount();
  });

  it("reports what Vue's error handler would swallow, on the component's widget", async () => {
    const container = document.createElement("div");
    document.body.appendChild(container);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const app = createApp({
      render: () =>
        withDirectives(
          h("button", { id: "pay", onClick: () => { throw new Error("card declined"); } }, "Pay"),
          [[vIhf, { id: WIDGET, hub: "checkout" }]],
        ),
    });
    app.use(IhfVue);
    app.mount(container);
    container.querySelector("#pay").click();
    await flushed();
    expect(byType(server, WIDGET, "error").map((e) => e.metadata)).toEqual([{ kind: "vue", message: "card declined" }]);
    app.unmount();
  });
});

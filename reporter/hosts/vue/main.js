import { createApp, h, ref, withDirectives } from "vue";
import { IhfVue, vIhf } from "@ihf/reporter/vue";

const config = window.IHF_HOST;
const w = config.widgets;

const Checkout = {
  setup() {
    const paid = ref(0);
    const late = ref(false);
    const swapped = ref(false);
    const route = ref(location.pathname);
    const envelope = (id) => [[vIhf, { id, hub: config.hub }]];
    const go = (path) => {
      history.pushState({}, "", path);
      route.value = path;
    };
    return () =>
      h("main", [
        h("h1", ["Vue shop ", h("small", { id: "route" }, route.value)]),
        withDirectives(h("button", { id: "pay", onClick: () => paid.value++ }, "Pay now"), [
          [vIhf, { id: w.pay, hub: config.hub, viewContext: "/checkout" }],
        ]),
        h("output", { id: "paid" }, String(paid.value)),
        withDirectives(h("button", { id: "coupon" }, "Coupon"), envelope(w.coupon)),
        withDirectives(
          h("form", { onSubmit: (e) => e.preventDefault() }, [
            h("input", { name: "email", value: "a@b.c" }),
            h("button", { id: "place", type: "submit" }, "Place order"),
          ]),
          envelope(w.form),
        ),
        withDirectives(
          h("button", { id: "boom", onClick: () => { throw new Error("card declined"); } }, "Boom"),
          envelope(w.boom),
        ),
        h("button", { id: "add-late", onClick: () => (late.value = true) }, "Show more"),
        late.value ? withDirectives(h("button", { id: "late" }, "Late"), envelope(w.late)) : null,
        h("button", { id: "swap-toggle", onClick: () => (swapped.value = true) }, "Swap"),
        withDirectives(h("button", { id: "swap" }, "Swapped"), envelope(swapped.value ? w.swapB : w.swapA)),
        h("button", { id: "route-next", onClick: () => go("/shop/next") }, "Next page"),
      ]);
  },
};

createApp(Checkout)
  .use(IhfVue, { endpoint: config.endpoint, key: config.key, hub: config.hub, flushMs: 300, debug: true })
  .mount("#app");

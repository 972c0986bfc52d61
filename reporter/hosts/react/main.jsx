import { StrictMode, useState, version } from "react";
import { createRoot } from "react-dom/client";
import { init } from "@ihf/reporter";
import { IhfWidget, ihfRootOptions, useIhfWidget } from "@ihf/reporter/react";

const config = window.IHF_HOST;
init({ endpoint: config.endpoint, key: config.key, hub: config.hub, flushMs: 300, debug: true });
const w = config.widgets;

function Checkout() {
  const [paid, setPaid] = useState(0);
  const [late, setLate] = useState(false);
  const [swapped, setSwapped] = useState(false);
  const [route, setRoute] = useState(location.pathname);
  const coupon = useIhfWidget({ id: w.coupon, hub: config.hub });
  const go = (path) => {
    history.pushState({}, "", path);
    setRoute(path);
  };
  return (
    <main>
      <h1>React <span id="react-version">{version}</span> shop <small id="route">{route}</small></h1>
      <IhfWidget as="button" id={w.pay} hub={config.hub} viewContext="/checkout" data-testid="pay"
                 onClick={() => setPaid((n) => n + 1)}>Pay now</IhfWidget>
      <output id="paid">{paid}</output>
      <button id="coupon" {...coupon}>Coupon</button>
      <IhfWidget as="form" id={w.form} hub={config.hub} onSubmit={(e) => e.preventDefault()}>
        <input name="email" defaultValue="a@b.c" />
        <button id="place" type="submit">Place order</button>
      </IhfWidget>
      <IhfWidget as="button" id={w.boom} hub={config.hub} data-testid="boom"
                 onClick={() => { throw new Error("card declined"); }}>Boom</IhfWidget>
      <button id="add-late" onClick={() => setLate(true)}>Show more</button>
      {late && <IhfWidget as="button" id={w.late} hub={config.hub} data-testid="late">Late</IhfWidget>}
      <button id="swap-toggle" onClick={() => setSwapped(true)}>Swap</button>
      <IhfWidget as="button" id={swapped ? w.swapB : w.swapA} hub={config.hub} data-testid="swap">Swapped</IhfWidget>
      <button id="route-next" onClick={() => go("/shop/next")}>Next page</button>
    </main>
  );
}

createRoot(document.getElementById("root"), ihfRootOptions()).render(
  <StrictMode>
    <Checkout />
  </StrictMode>,
);

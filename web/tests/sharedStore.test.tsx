import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Failure } from "../src/api/problem";
import { sharedStore } from "../src/data";
import type { Loaded, Resource } from "../src/useResource";

let root: HTMLElement;

beforeEach(() => {
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
});

const NETWORK: Failure = { kind: "network" };

/** A store whose loads answer, in order, what the test lists. */
function storeAnswering(...answers: Loaded<string>[]) {
  let loads = 0;
  const store = sharedStore<string>(async () => {
    const answer = answers[loads];
    loads += 1;
    if (!answer) throw new Error("no answer left");
    return answer;
  });
  return { store, loads: () => loads };
}

/** Two screens showing the same store; what each rendered last. */
async function twoScreens(store: ReturnType<typeof sharedStore<string>>) {
  const seen: { a?: Resource<string>; b?: Resource<string> } = {};
  function A() {
    seen.a = store.use();
    return null;
  }
  function B() {
    seen.b = store.use();
    return null;
  }
  await act(() =>
    render(
      <>
        <A />
        <B />
      </>,
      root,
    ),
  );
  await settle();
  return seen;
}

const settle = () => act(async () => new Promise<void>((resolve) => setTimeout(resolve, 0)));

describe("sharedStore", () => {
  it("loads once for every screen that shows it", async () => {
    const { store, loads } = storeAnswering({ data: "Kim" });
    const seen = await twoScreens(store);
    expect([seen.a?.data, seen.b?.data]).toEqual(["Kim", "Kim"]);
    expect(loads()).toBe(1);
  });

  it("forgets a failed load, so that Retry loads again", async () => {
    const { store, loads } = storeAnswering({ failure: NETWORK }, { data: "Kim" });
    const seen = await twoScreens(store);
    expect(seen.a?.failure).toEqual(NETWORK);

    await act(() => seen.a?.reload());
    await settle();
    expect(seen.a?.data).toBe("Kim");
    expect(loads()).toBe(2);
  });

  it("reload gives every screen the new value", async () => {
    const { store, loads } = storeAnswering({ data: "before" }, { data: "after" });
    const seen = await twoScreens(store);
    await act(() => store.reload());
    await settle();
    expect([seen.a?.data, seen.b?.data]).toEqual(["after", "after"]);
    expect(loads()).toBe(2);
  });

  it("set gives every screen the value a change answered with, without a load", async () => {
    const { store, loads } = storeAnswering({ data: "Kim" });
    const seen = await twoScreens(store);
    await act(() => store.set("Lee"));
    await settle();
    expect([seen.a?.data, seen.b?.data]).toEqual(["Lee", "Lee"]);
    expect(loads()).toBe(1);
  });

  it("after reset the next screen loads afresh (another person signed in)", async () => {
    const { store, loads } = storeAnswering({ data: "Kim" }, { data: "Lee" });
    await twoScreens(store);
    await act(() => render(null, root));
    store.reset();
    const seen = await twoScreens(store);
    expect(seen.a?.data).toBe("Lee");
    expect(loads()).toBe(2);
  });
});

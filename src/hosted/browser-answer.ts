/** What the link method's routes answer a shopper's browser: a redirect or one of our pages. */
import type { ShopperPage } from "./shopper-page";

export type BrowserAnswer =
  { readonly type: "redirect"; readonly location: string; readonly status: 302 | 303 } | { readonly type: "page"; readonly page: ShopperPage };

/** Fields for the route's one log line. */
export interface BrowserLog {
  readonly sid?: string;
  readonly pid?: string;
  readonly outcome: string;
  readonly ec?: string;
  readonly reason?: string;
}

export interface BrowserReply {
  readonly answer: BrowserAnswer;
  readonly log: BrowserLog;
}

/** UnivaPay's mode of an app token and of every resource made with it. */
export type Mode = "test" | "live";

/** Every input kind of `npm run migrate`, by name: adding a kind is a module and a line here. */
import type { MigrationKind } from "../mapping/migration-schema";
import { autobillingsCreateKind } from "./kinds/autobillings-create-kind";
import { autobillingsKind } from "./kinds/autobillings-kind";
import { membersKind } from "./kinds/members-kind";
import { paymentsKind } from "./kinds/payments-kind";
import type { MigrationKindModule } from "./migration-kind";

export const MIGRATION_KIND_MODULES: Readonly<Record<MigrationKind, MigrationKindModule<never>>> = {
  members: membersKind as MigrationKindModule<never>,
  payments: paymentsKind as MigrationKindModule<never>,
  autobillings: autobillingsKind as MigrationKindModule<never>,
  "autobillings-create": autobillingsCreateKind as MigrationKindModule<never>,
};

import { loadFaultSuite } from "./load-fault-suite";

loadFaultSuite("t-billing", false);

import { loadFaultSuite } from "./load-fault-suite";

// Overlapped admission (billing.yaml's t-billing-overlap): the same load and faults, the same books at rest.
loadFaultSuite("t-billing-overlap", true);

import { gatewayAnalyticsSuite } from "./gateway-suite";

gatewayAnalyticsSuite("durable-object");

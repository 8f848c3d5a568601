import { gatewayAnalyticsSuite } from "./gateway-suite";

gatewayAnalyticsSuite("upstash");

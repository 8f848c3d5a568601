import { startFakeUpstream } from "./fake-upstream";

// Manual use: `PORT=8790 npx tsx test/servers/fake-upstream-cli.ts` (no PORT = a free port).
const port = Number(process.env.PORT ?? 0);
const fake = await startFakeUpstream({ port: Number.isInteger(port) && port >= 0 ? port : 0 });
console.log(fake.url);

const stop = () => {
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

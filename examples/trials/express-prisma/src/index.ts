import express from "express";
import { bookingsRouter } from "./routes/bookings";
import { patientsRouter } from "./routes/patients";
import { reportsRouter } from "./routes/reports";
import { prisma, pool } from "./db";

const app = express();
app.use(express.json());

app.get("/healthz", async (_req, res) => {
  await pool.query("SELECT 1");
  res.json({ ok: true });
});

app.use("/bookings", bookingsRouter);
app.use("/patients", patientsRouter);
app.use("/reports", reportsRouter);

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, () => console.log(`clinic-api listening on ${port}`));

process.on("SIGTERM", async () => {
  server.close();
  await prisma.$disconnect();
  await pool.end();
});

import { Router } from "express";
import { pool } from "../db";

export const reportsRouter = Router();

reportsRouter.get("/utilisation", async (req, res) => {
  const { clinicId, month } = req.query;
  const { rows } = await pool.query(
    `SELECT d.id, d.name,
            count(b.id) FILTER (WHERE b.status = 'COMPLETED') AS completed,
            count(b.id) FILTER (WHERE b.status = 'NO_SHOW') AS no_shows,
            sum(extract(epoch FROM b.ends_at - b.starts_at)) / 3600 AS hours
       FROM doctors d
       LEFT JOIN bookings b ON b.doctor_id = d.id
        AND date_trunc('month', b.starts_at) = date_trunc('month', $2::date)
      WHERE d.clinic_id = $1
      GROUP BY d.id, d.name
      ORDER BY hours DESC NULLS LAST`,
    [clinicId, month],
  );
  res.json(rows);
});

reportsRouter.get("/revenue", async (req, res) => {
  const clinicId = Number(req.query.clinicId);
  const groupBy = req.query.groupBy === "doctor" ? "d.name" : "p.provider";
  const { rows } = await pool.query(
    `SELECT ${groupBy} AS key, sum(p.amount_cents) AS cents
       FROM payments p
       JOIN bookings b ON b.id = p.booking_id
       JOIN doctors d ON d.id = b.doctor_id
      WHERE d.clinic_id = ${clinicId}
      GROUP BY 1 ORDER BY 2 DESC`,
  );
  res.json(rows);
});

reportsRouter.post("/no-shows/mark", async (_req, res) => {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rowCount } = await client.query(
      `UPDATE bookings SET status = 'NO_SHOW'
        WHERE status IN ('SCHEDULED', 'CONFIRMED') AND ends_at < now() - interval '2 hours'`,
    );
    await client.query("COMMIT");
    res.json({ marked: rowCount });
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  } finally {
    client.release();
  }
});

reportsRouter.get("/patients/export", async (req, res) => {
  const clinicId = req.query.clinicId;
  const { rows } = await pool.query("SELECT * FROM patients WHERE clinic_id = $1", [clinicId]);
  res.json(rows);
});

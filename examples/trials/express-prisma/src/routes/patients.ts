import { Router } from "express";
import { z } from "zod";
import { prisma } from "../db";

export const patientsRouter = Router();

const PatientInput = z.object({
  clinicId: z.number().int(),
  email: z.string().email(),
  fullName: z.string().min(1),
  phone: z.string().optional(),
  birthDate: z.coerce.date().optional(),
});

patientsRouter.get("/", async (req, res) => {
  const clinicId = Number(req.query.clinicId);
  const search = String(req.query.q ?? "");
  const patients = await prisma.patient.findMany({
    where: {
      clinicId,
      OR: [
        { fullName: { contains: search, mode: "insensitive" } },
        { email: { contains: search, mode: "insensitive" } },
      ],
    },
    orderBy: { fullName: "asc" },
    take: 50,
  });
  res.json(patients);
});

patientsRouter.get("/:id", async (req, res) => {
  const patient = await prisma.patient.findUnique({
    where: { id: Number(req.params.id) },
    include: { bookings: { include: { doctor: true, payments: true }, orderBy: { startsAt: "desc" } } },
  });
  if (!patient) return res.status(404).end();
  res.json(patient);
});

patientsRouter.post("/", async (req, res) => {
  const parsed = PatientInput.safeParse(req.body);
  if (!parsed.success) return res.status(400).json(parsed.error);
  const patient = await prisma.patient.create({ data: parsed.data });
  res.status(201).json(patient);
});

patientsRouter.post("/import", async (req, res) => {
  const rows: Array<z.infer<typeof PatientInput>> = req.body.rows ?? [];
  let created = 0;
  for (const row of rows) {
    const existing = await prisma.patient.findFirst({ where: { clinicId: row.clinicId, email: row.email } });
    if (!existing) {
      await prisma.patient.create({ data: row });
      created++;
    }
  }
  res.json({ created });
});

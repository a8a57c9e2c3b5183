const express = require('express');
const helmet = require('helmet');
const cors = require('cors');

const app = express();
app.use(helmet());
app.use(cors({ origin: '*', credentials: true }));

app.get('/health', (req, res) => res.json({ ok: true }));

app.listen(8080);
